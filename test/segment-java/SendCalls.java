import com.segment.analytics.Analytics;
import com.segment.analytics.Log;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Java shop's server as Segment's library sends its calls: one of each kind, to the host and with the key it is
 * given (args: key, host, user id). The library's own log goes to stderr; "sent" to stdout once it has shut down.
 */
public class SendCalls {
  public static void main(String[] args) throws Exception {
    String key = args[0], host = args[1], user = args[2];
    Analytics analytics = Analytics.builder(key).endpoint(host).log(new Log() {
      public void print(Level level, String format, Object... a) {
        System.err.println(level + " " + String.format(format, a));
      }
      public void print(Level level, Throwable error, String format, Object... a) {
        System.err.println(level + " " + String.format(format, a) + " " + error);
      }
    }).build();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("productId", "sku-1");
    line.put("price", 24.5);
    line.put("quantity", 2);
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("orderId", "J-" + user);
    order.put("revenue", 49.0);
    order.put("currency", "EUR");
    order.put("channel", "phone");
    order.put("products", List.of(line));
    Date placed = new Date(System.currentTimeMillis() - 2L * 86_400_000L);
    analytics.enqueue(IdentifyMessage.builder().userId(user).traits(Map.of("name", "Zoë 😀", "plan", "pro")));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId(user).timestamp(placed).properties(order));
    analytics.enqueue(PageMessage.builder("Pricing").userId(user)
        .properties(Map.of("url", "https://shop.example/pricing?utm_source=newsletter")));
    analytics.enqueue(ScreenMessage.builder("Cart").userId(user));
    analytics.enqueue(GroupMessage.builder("acme").userId(user).traits(Map.of("industry", "retail")));
    analytics.enqueue(AliasMessage.builder("anon-" + user).userId(user));
    analytics.flush();
    analytics.shutdown();
    System.out.println("sent");
  }
}
