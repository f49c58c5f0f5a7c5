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
    boolean help = args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"));
    if (help || i >= args.length || !Files.exists(file)) {
      (help ? System.out : System.err).println("usage: vigil audit token [--key-file F]"
          + " TYPE/id...   (the key file the service was given; default " + file
          + (Files.exists(file) ? "" : ", which does not exist") + ")");
      System.exit(help ? 0 : 2);
    }
    EntityTokens tokens = EntityTokens.fromKeyFile(file);
    for (; i < args.length; i++) {
      System.out.println(tokens.token(args[i]) + "  (key " + tokens.keyId() + ")");
    }
  }
}
