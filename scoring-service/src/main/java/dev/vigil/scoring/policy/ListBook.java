package dev.vigil.scoring.policy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vigil.proto.v1.ListEntry;
import dev.vigil.scoring.policy.Listing.Entity;
import dev.vigil.scoring.policy.Listing.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every list entry ever added, each in its latest state, indexed by entity and value: the lists
 * as they stand at any instant ({@link #memberships}). Immutable: a change makes a new book
 * ({@link #with}). Serving, backtests and replays read lists through the same {@link
 * #memberships}, each at its event's time; a backtest loads the change log from a file ({@link
 * #load}: {@code ./vigil policy lists export}).
 */
public final class ListBook {
  /** No entries. */
  public static final ListBook EMPTY = new ListBook(new LinkedHashMap<>());

  private static final JsonFormat.Printer JSON = JsonFormat.printer()
      .omittingInsignificantWhitespace();

  private final Map<String, Listing> byId;
  /** Entity, value, the entries naming it (a value is on few lists: an array is enough). */
  private final EnumMap<Entity, Map<String, Listing[]>> index = new EnumMap<>(Entity.class);

  private ListBook(LinkedHashMap<String, Listing> byId) {
    this.byId = byId;
    var grouped = new EnumMap<Entity, Map<String, List<Listing>>>(Entity.class);
    for (Listing l : byId.values()) {
      grouped.computeIfAbsent(l.entity(), e -> new HashMap<>())
          .computeIfAbsent(l.value(), v -> new ArrayList<>(1)).add(l);
    }
    grouped.forEach((entity, values) -> {
      var byValue = new HashMap<String, Listing[]>(values.size() * 2);
      values.forEach((value, entries) -> byValue.put(value, entries.toArray(new Listing[0])));
      index.put(entity, byValue);
    });
  }

  /** The book of {@code entries}: a later state of an id replaces an earlier one. */
  public static ListBook of(Collection<Listing> entries) {
    var byId = new LinkedHashMap<String, Listing>();
    for (Listing l : entries) {
      byId.put(l.id(), l);
    }
    return new ListBook(byId);
  }

  /** This book with {@code changed} as its entry's latest state (a new entry, or a removal). */
  public ListBook with(Collection<Listing> changed) {
    if (changed.isEmpty()) {
      return this;
    }
    var byId = new LinkedHashMap<>(this.byId);
    for (Listing l : changed) {
      byId.put(l.id(), l);
    }
    return new ListBook(byId);
  }

  /** Every entry, in the order first added. */
  public List<Listing> entries() {
    return List.copyOf(byId.values());
  }

  public Optional<Listing> entry(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The kind of list {@code list} is (of its first entry), when it has any entry. */
  public Optional<Kind> kindOf(String list) {
    return byId.values().stream().filter(l -> l.list().equals(list)).map(Listing::kind)
        .findFirst();
  }

  /**
   * The lists {@code entities} are on at {@code atMillis}: every entry naming one of them that
   * applies then ({@link Listing#appliesAt}). A pure function of the book, the instant and the
   * values; {@link ListMemberships#NONE}, without allocating, when none is listed.
   */
  public ListMemberships memberships(long atMillis, ListedEntities entities) {
    if (byId.isEmpty()) {
      return ListMemberships.NONE;
    }
    Found found = null;
    found = probe(found, atMillis, Entity.ACCOUNT, entities.account());
    found = probe(found, atMillis, Entity.CUSTOMER, entities.customer());
    found = probe(found, atMillis, Entity.CARD, entities.card());
    found = probe(found, atMillis, Entity.DEVICE, entities.device());
    found = probe(found, atMillis, Entity.MERCHANT, entities.merchant());
    found = probe(found, atMillis, Entity.ROUTING_NUMBER, entities.routingNumber());
    found = probe(found, atMillis, Entity.CHECK_FINGERPRINT, entities.micrCheck());
    found = probe(found, atMillis, Entity.CHECK_FINGERPRINT, entities.imageCheck());
    return found == null ? ListMemberships.NONE
        : new ListMemberships(found.block, found.allow, List.copyOf(found.names),
            List.copyOf(found.entries));
  }

  /** What matched so far; made on the first match only. */
  private static final class Found {
    boolean block;
    boolean allow;
    final TreeSet<String> names = new TreeSet<>();
    final TreeSet<String> entries = new TreeSet<>();
  }

  private Found probe(Found found, long atMillis, Entity entity, String value) {
    if (value == null || value.isEmpty()) {
      return found;
    }
    Map<String, Listing[]> values = index.get(entity);
    Listing[] listed = values == null ? null : values.get(value);
    if (listed == null) {
      return found;
    }
    for (Listing l : listed) {
      if (l.appliesAt(atMillis)) {
        found = found == null ? new Found() : found;
        if (l.kind() == Kind.BLOCK) {
          found.block = true;
        } else {
          found.allow = true;
        }
        found.names.add(l.list());
        found.entries.add(l.id());
      }
    }
    return found;
  }

  /** One entry as a line of the JSON Lines export (the lists topic record in JSON). */
  public static String jsonLine(Listing entry) {
    try {
      return JSON.print(entry.wire());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a ListEntry always prints", e);
    }
  }

  /** Writes every entry as JSON Lines, oldest first: what {@link #load} reads. */
  public void export(Writer out) throws IOException {
    for (Listing l : byId.values()) {
      out.write(jsonLine(l));
      out.write('\n');
    }
  }

  /**
   * The book a JSON Lines change log holds (the export, or the lists topic's records in order as
   * JSON): each line a {@link ListEntry}, a later line of an id replacing an earlier one.
   *
   * @throws IOException naming the file and line of one that does not parse
   */
  public static ListBook load(Path file) throws IOException {
    var entries = new ArrayList<Listing>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        try {
          var entry = ListEntry.newBuilder();
          JsonFormat.parser().merge(line, entry);
          entries.add(Listing.of(entry.build()));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
          throw new IOException(file + " line " + number + ": " + e.getMessage(), e);
        }
      }
    }
    return of(entries);
  }
}
