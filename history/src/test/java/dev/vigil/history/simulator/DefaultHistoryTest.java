package dev.vigil.history.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.vigil.features.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The default simulation (no treatment chooser) is what it always was, byte for byte: the default
 * models, the measurements in docs/ and CI depend on a seed's history. The digest was taken before
 * treatment responses existed; a change to it must be deliberate.
 */
class DefaultHistoryTest {
  static final String DIGEST =
      "df2d96f1737f3b8813454bc1f112a20b6bcd96fee68ab04e1210be1de0b19a7e";

  static String digest(Simulator sim) throws Exception {
    var sha = MessageDigest.getInstance("SHA-256");
    var printer = JsonFormat.printer().omittingInsignificantWhitespace();
    sim.run(e -> {
      try {
        sha.update(printer.print(EventCodec.toProto(e)).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      } catch (Exception x) {
        throw new IllegalStateException(x);
      }
    });
    return HexFormat.of().formatHex(sha.digest());
  }

  @Test
  void theDefaultHistoryOfASeedIsUnchanged() throws Exception {
    assertThat(digest(new Simulator(Simulator.Config.of(7, 300, 75)))).isEqualTo(DIGEST);
  }
}
