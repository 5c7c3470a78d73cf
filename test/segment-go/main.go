// A Go shop's server as Segment's Go library sends its calls: one of each kind, and an order written with the
// library's own Product type, whose id goes out as "id" (args: key, host, user id). The library's log goes to
// stderr, a failed delivery as "failure"; "sent" to stdout once it has closed.
package main

import (
	"fmt"
	"os"
	"time"

	analytics "github.com/segmentio/analytics-go/v3"
)

type report struct{}

func (report) Success(analytics.Message) {}
func (report) Failure(m analytics.Message, err error) {
	fmt.Fprintln(os.Stderr, "failure", err)
	os.Exit(1)
}

func main() {
	key, host, user := os.Args[1], os.Args[2], os.Args[3]
	client, err := analytics.NewWithConfig(key, analytics.Config{Endpoint: host, Callback: report{}})
	if err != nil {
		panic(err)
	}
	placed := time.Now().Add(-48 * time.Hour)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(client.Enqueue(analytics.Identify{UserId: user, Traits: analytics.NewTraits().Set("plan", "pro")}))
	must(client.Enqueue(analytics.Page{UserId: user,
		Properties: analytics.NewProperties().SetURL("https://shop.example/docs?utm_source=newsletter")}))
	must(client.Enqueue(analytics.Screen{UserId: user}))
	must(client.Enqueue(analytics.Track{UserId: user, Event: "Order Completed", Timestamp: placed,
		Properties: analytics.NewProperties().SetOrderId("G-"+user).SetRevenue(12.5).SetCurrency("EUR").
			SetProducts(analytics.Product{ID: "kettle", Name: "Kettle", Price: 8.5}, analytics.Product{ID: "mug", Price: 4}).
			Set("coupon", nil)}))
	must(client.Enqueue(analytics.Group{UserId: user, GroupId: "acme"}))
	must(client.Enqueue(analytics.Alias{UserId: user, PreviousId: "anon-" + user}))
	must(client.Close())
	fmt.Println("sent")
}
