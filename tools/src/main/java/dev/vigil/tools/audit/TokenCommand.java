package dev.vigil.tools.audit;

import dev.vigil.history.cli.VigilHome;
import dev.vigil.scoring.audit.EntityTokens;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ./vigil audit token [--key-file F] TYPE/id...}: prints each entity's audit token. */
public final class TokenCommand {
  private TokenCommand() {}

  public static void main(String[] args) {
    Path file = VigilHome.var("service/audit-token.key");
    int i = 0;
    if (args.length > 1 && args[0].equals("--key-file")) {
      file = Path.of(args[1]);
      i = 2;
    }
    if (i >= args.length || !Files.exists(file)) {
      System.err.println("usage: ./vigil audit token [--key-file F] TYPE/id...   (default key"
          + " file: var/service/audit-token.key, which must exist)");
      System.exit(2);
    }
    EntityTokens tokens = EntityTokens.fromKeyFile(file);
    for (; i < args.length; i++) {
      System.out.println(tokens.token(args[i]) + "  (key " + tokens.keyId() + ")");
    }
  }
}
