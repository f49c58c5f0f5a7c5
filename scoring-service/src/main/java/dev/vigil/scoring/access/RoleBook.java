package dev.vigil.scoring.access;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who holds which roles: identities (a client certificate's URI SAN such as {@code
 * spiffe://bank.example/payments/core}, else its subject CN) mapped to roles, read from a YAML
 * file ({@code vigil.access.roles-file}):
 *
 * <pre>
 * scorer: [scorer]
 * "spiffe://bank.example/payments/core": [scorer, producer]
 * admin: [scorer, producer, analyst, model-admin, policy-admin, policy-approver, viewer]
 * </pre>
 *
 * An identity not in the file holds no role. The book is reread when the file changes ({@link
 * Live}); an edit that does not parse is refused, logged and counted, and the previous book
 * stays in force.
 */
public final class RoleBook {
  private static final Logger log = LoggerFactory.getLogger(RoleBook.class);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** No one holds any role. */
  public static final RoleBook EMPTY = new RoleBook(Map.of());

  private final Map<String, Set<Role>> roles;

  private RoleBook(Map<String, Set<Role>> roles) {
    this.roles = Map.copyOf(roles);
  }

  /** The roles {@code identity} holds (none for an unknown identity). */
  public Set<Role> rolesOf(String identity) {
    return roles.getOrDefault(identity, Set.of());
  }

  /** Every identity named in the book. */
  public Set<String> identities() {
    return roles.keySet();
  }

  /** A book granting exactly {@code roles}. */
  public static RoleBook of(Map<String, Set<Role>> roles) {
    return new RoleBook(roles);
  }

  /**
   * Reads a roles file.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException naming the file and the identity when an entry is not a list
   *     of known roles
   */
  public static RoleBook read(Path file) throws IOException {
    Map<String, Object> raw;
    try {
      raw = YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + ": not a map of identity to roles: "
          + e.getOriginalMessage());
    }
    var book = new LinkedHashMap<String, Set<Role>>();
    if (raw == null) {
      return EMPTY;
    }
    raw.forEach((identity, value) -> {
      if (!(value instanceof List<?> list)) {
        throw new IllegalArgumentException(file + ": " + identity
            + ": must be a list of roles, such as [scorer]");
      }
      Set<Role> held = EnumSet.noneOf(Role.class);
      for (Object role : list) {
        try {
          held.add(Role.of(String.valueOf(role)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": " + identity + ": " + e.getMessage());
        }
      }
      book.put(identity, held);
    });
    return new RoleBook(book);
  }

  /** A roles file kept in force: reread when its modification time or size changes. */
  public static final class Live {
    private final Path file;
    private final Consumer<Boolean> onReload;
    private volatile RoleBook current;
    private FileTime seenTime;
    private long seenSize = -1;

    /**
     * Reads {@code file} now.
     *
     * @param file the roles file; {@code null}: no one holds any role
     * @param onReload told {@code true} for each reread taken, {@code false} for each refused
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it does not parse (the service must not start on it)
     */
    public Live(Path file, Consumer<Boolean> onReload) throws IOException {
      this.file = file;
      this.onReload = onReload;
      if (file == null) {
        current = EMPTY;
      } else {
        seenTime = Files.getLastModifiedTime(file);
        seenSize = Files.size(file);
        current = read(file);
      }
    }

    public RoleBook current() {
      return current;
    }

    /** Rereads the file if it changed since it was last read; keeps the book on a bad edit. */
    public synchronized void refresh() {
      if (file == null) {
        return;
      }
      try {
        FileTime time = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (time.equals(seenTime) && size == seenSize) {
          return;
        }
        seenTime = time;
        seenSize = size;
        current = read(file);
        log.info("roles reloaded from {}: {} identities", file, current.identities().size());
        onReload.accept(true);
      } catch (IOException | IllegalArgumentException e) {
        log.warn("roles file {} not reloaded, the previous roles stay in force: {}", file,
            e.getMessage());
        onReload.accept(false);
      }
    }
  }
}
