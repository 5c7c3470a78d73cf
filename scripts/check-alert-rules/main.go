// Parses alerting rules with Prometheus's own rule parser (its expressions and templates too), as promtool check
// rules does: go run . ../../examples/prometheus/alerts.yml
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	groups, errs := rulefmt.ParseFile(os.Args[1], false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.Default())
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Println("error:", e)
		}
		os.Exit(1)
	}
	n := 0
	for _, g := range groups.Groups {
		n += len(g.Rules)
	}
	fmt.Println("rules ok:", n)
}
