package dev.vigil.tools.tls;

import dev.vigil.history.cli.VigilHome;
import dev.vigil.scoring.access.LocalAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./vigil tls}: the local certificate authority's command line ({@link LocalAuthority}). */
public final class TlsCommand {
  private TlsCommand() {}

  /** {@code ./vigil tls init}. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Create the CA, the server's certificate and each role's client certificate"
          + " under --dir, where missing (nothing there is replaced).")
  static final class Init implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = VigilHome.VAR + "/tls", description = "Where the PEM files are"
        + " written (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws IOException {
      boolean fresh = !Files.exists(dir.resolve("ca.pem"));
      LocalAuthority.init(dir, Clock.systemUTC());
      System.out.println((fresh ? "created" : "kept") + " a local CA and certificates in " + dir
          + ": ca.pem, server.pem/.key, scorer, producer, analyst, admin (.pem/.key), roles.yaml");
      return 0;
    }
  }

  /** {@code ./vigil tls renew NAME}. */
  @Command(name = "renew", mixinStandardHelpOptions = true,
      description = "Issue NAME.pem and NAME.key again (a new key, valid 397 days from now), or"
          + " a new client's. The service takes a renewed server certificate without a restart.")
  static final class Renew implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = VigilHome.VAR + "/tls", description = "The CA's directory"
        + " (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--host", description = "Further DNS names of the server (server only).")
    List<String> hosts = new ArrayList<>();

    @Parameters(paramLabel = "NAME", description = "server, or a client's name (its CN): scorer,"
        + " producer, analyst, admin, or a new one (grant it roles in roles.yaml).")
    String name;

    @Override
    public Integer call() throws IOException {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "NAME: letters, digits, '.', '_' and '-' only, at most 64");
      }
      LocalAuthority authority = LocalAuthority.init(dir, Clock.systemUTC());
      X509Certificate cert;
      if (name.equals("server")) {
        var all = new ArrayList<>(List.of("localhost"));
        all.addAll(hosts);
        cert = authority.issueServer("server", all);
      } else {
        cert = authority.issueClient(name);
      }
      System.out.println("issued " + dir.resolve(name + ".pem") + " (valid until "
          + cert.getNotAfter().toInstant() + ")");
      return 0;
    }
  }

  /** {@code ./vigil tls} and its subcommands. */
  public static CommandLine commandLine() {
    return new CommandLine(new Tls());
  }

  @Command(name = "tls", mixinStandardHelpOptions = true,
      description = "A local certificate authority for Vigil's TLS (the embedded default's).",
      subcommands = {Init.class, Renew.class})
  static final class Tls implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "name a subcommand: init or renew");
    }
  }
}
