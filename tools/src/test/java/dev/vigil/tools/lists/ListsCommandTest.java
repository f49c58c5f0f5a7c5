package dev.vigil.tools.lists;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.access.LocalAuthority;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.ListedEntities;
import dev.vigil.scoring.policy.Listing;
import dev.vigil.testkit.EmbeddedKafka;
import dev.vigil.tools.cli.Vigil;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vigil policy lists} against a real service over mutual TLS: an entry added, shown,
 * exported as JSON Lines that a backtest's {@link ListBook#load} reads back (the entry applying
 * to a call at the time it was added), and removed; a wrong option is a usage error.
 */
class ListsCommandTest {
  @TempDir Path dir;

  @Test
  void addShowExportRemove() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    LocalAuthority.init(tls, Clock.systemUTC());
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      kafka.createTopic("vigil.lists", 1, true);
      var env = new HashMap<String, String>();
      env.put("VIGIL_PORT", "0");
      env.put("VIGIL_METRICS_PORT", "-1");
      env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("VIGIL_STATE_DIR", dir.resolve("state").toString());
      env.put("VIGIL_MODELS_REGISTRY", Files.createDirectories(dir.resolve("models")).toString());
      env.put("VIGIL_MODELS_ALLOW_MISSING", "true");
      env.put("VIGIL_TLS_CERT_FILE", tls.resolve("server.pem").toString());
      env.put("VIGIL_TLS_KEY_FILE", tls.resolve("server.key").toString());
      env.put("VIGIL_TLS_CLIENT_CA_FILE", tls.resolve("ca.pem").toString());
      env.put("VIGIL_ACCESS_ROLES_FILE", tls.resolve("roles.yaml").toString());
      ScoringServer server = ScoringServer.start(ServiceConfig.load(null, env));
      try {
        List<String> service = List.of("--target", "127.0.0.1:" + server.port(), "--tls-dir",
            tls.toString());
        String added = run(0, service, "policy", "lists", "add", "--list", "fraud-ring",
            "--kind", "block", "--entity", "device", "--value", "dev-cli-1", "--reason",
            "seen in the ring", "--expires", "2099-01-01T00:00:00Z");
        assertThat(added).contains("fraud-ring").contains("BLOCK").contains("DEVICE")
            .contains("admin").contains("2099-01-01T00:00:00Z");
        String id = added.lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(id).startsWith("le-");

        assertThat(run(0, service, "policy", "lists", "show", "--list", "fraud-ring"))
            .contains(id);

        Path export = dir.resolve("lists.jsonl");
        assertThat(run(0, service, "policy", "lists", "export", "--out", export.toString()))
            .contains("1 entries written");
        ListBook book = ListBook.load(export);
        Listing entry = book.entry(id).orElseThrow();
        var purchase = new Event("e-1", entry.addedAtMillis(), "a-1", "c-1", new Transaction(
            new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1", "5411", "US",
            "dev-cli-1", ""));
        assertThat(book.memberships(entry.addedAtMillis(), ListedEntities.of(purchase)).names())
            .containsExactly("fraud-ring");
        assertThat(book.memberships(entry.addedAtMillis() - 1, ListedEntities.of(purchase))
            .block()).isFalse();

        assertThat(run(0, service, "policy", "lists", "remove", id, "--reason", "cleared"))
            .contains("(removed)");
        assertThat(run(0, service, "policy", "lists", "show")).doesNotContain(id);
        assertThat(run(0, service, "policy", "lists", "show", "--all")).contains(id);

        run(2, service, "policy", "lists", "add", "--list", "x", "--kind", "maybe", "--entity",
            "device", "--value", "v", "--reason", "r");
      } finally {
        server.close();
      }
    }
  }

  /** Runs {@code ./vigil WORDS... SERVICE-OPTIONS}, expecting {@code code}; its output. */
  private static String run(int code, List<String> service, String... words) {
    var out = new StringWriter();
    var err = new StringWriter();
    var args = new ArrayList<>(List.of(words));
    args.addAll(service);
    int exit = Vigil.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute(args.toArray(String[]::new));
    assertThat(exit).as(out + "\n" + err).isEqualTo(code);
    return out.toString();
  }
}
