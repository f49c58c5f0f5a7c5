package dev.vigil.tools.audit;

import dev.vigil.features.profile.EntityType;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.scoring.audit.EntityTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./vigil audit token [--key-file F] TYPE/id...}: prints each entity's audit token, as the
 * service writes it into audit records ({@link EntityTokens}), so that an analyst with the key
 * finds an entity's decisions. The type is spelt as the records spell it ({@link EntityType}'s
 * names, upper case): any other spelling would give a token no record holds, so it is refused.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print each entity's audit token (as audit records name it), to find its"
        + " decisions on the decisions topic.")
public final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key-file", paramLabel = "FILE",
      defaultValue = VigilHome.VAR + "/service/audit-token.key",
      description = "The token key file the service was given (vigil.audit.token-key-file)"
          + " (default: ${DEFAULT-VALUE}, the one ./vigil up's service made).")
  Path keyFile;

  @Parameters(paramLabel = "TYPE/id", arity = "1..*", description = "An entity: its type in"
      + " capitals, as audit records write it (ACCOUNT, CUSTOMER, MERCHANT, DEVICE or CHECK), a"
      + " slash, its id: ACCOUNT/a-1.")
  List<String> entities;

  @Override
  public Integer call() {
    for (String entity : entities) {
      refuseUnknownType(entity);
    }
    if (!Files.isRegularFile(keyFile)) {
      throw new IllegalArgumentException("no key file at " + keyFile + " (--key-file); give the"
          + " file the service was given as vigil.audit.token-key-file");
    }
    EntityTokens tokens = EntityTokens.fromKeyFile(keyFile);
    var out = spec.commandLine().getOut();
    for (String entity : entities) {
      out.println(tokens.token(entity) + "  (key " + tokens.keyId() + ")");
    }
    out.flush();
    return 0;
  }

  /** Refuses an entity whose type is not one the records write (a token no record holds). */
  void refuseUnknownType(String entity) {
    int slash = entity.indexOf('/');
    String type = slash > 0 ? entity.substring(0, slash) : "";
    boolean known = Arrays.stream(EntityType.values()).anyMatch(t -> t.name().equals(type));
    if (!known || slash == entity.length() - 1) {
      throw new ParameterException(spec.commandLine(), "TYPE/id: '" + entity + "' is not TYPE/id"
          + " with TYPE one of " + Arrays.stream(EntityType.values()).map(EntityType::name)
              .collect(Collectors.joining(", "))
          + " (capitals, as audit records write it: ACCOUNT/a-1)");
    }
  }
}
