package dev.vigil.tools.lists;

import dev.vigil.features.event.EventCodec;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.proto.v1.AddListEntryRequest;
import dev.vigil.proto.v1.ListEntry;
import dev.vigil.proto.v1.ListKind;
import dev.vigil.proto.v1.ListListEntriesRequest;
import dev.vigil.proto.v1.ListedEntity;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyAdminGrpc.PolicyAdminBlockingStub;
import dev.vigil.proto.v1.RemoveListEntryRequest;
import dev.vigil.scoring.access.ClientTls;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.Listing;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./vigil policy lists}: the allow and block lists through PolicyAdmin (add, remove, show)
 * and their JSON Lines export, which a backtest loads to see the lists as they stood at each
 * event's time ({@link ListBook#load}).
 */
@Command(name = "lists", mixinStandardHelpOptions = true,
    description = "The allow and block lists, through the service's PolicyAdmin API: add and"
        + " remove entries (role policy-admin), show them and export their change log (viewer).")
public final class ListsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "name a subcommand: add, remove, show or export");
  }

  /** The tree: lists and its subcommands. */
  public static CommandLine commandLine() {
    var lists = new CommandLine(new ListsCommand());
    lists.addSubcommand("add", new Add());
    lists.addSubcommand("remove", new Remove());
    lists.addSubcommand("show", new Show());
    lists.addSubcommand("export", new Export());
    return lists;
  }

  /** Where the service is and who calls it. */
  static final class Service {
    @Option(names = "--target", defaultValue = "localhost:50051",
        description = "The scoring service (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--tls-dir", defaultValue = VigilHome.VAR + "/tls", description = "Where"
        + " ca.pem and the client's certificate are (default: ${DEFAULT-VALUE}, made by"
        + " ./vigil up).")
    Path tlsDir;

    @Option(names = "--client", defaultValue = "admin", description = "The client certificate"
        + " to call as, NAME.pem and NAME.key in --tls-dir (default: ${DEFAULT-VALUE}).")
    String client;

    <T> T call(CallOn<T> work) throws IOException {
      ManagedChannel channel = Grpc.newChannelBuilder(target,
          ClientTls.credentials(tlsDir, client)).build();
      try {
        return work.on(PolicyAdminGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  interface CallOn<T> {
    T on(PolicyAdminBlockingStub admin);
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add an entry: it applies from now (the service's clock) until --expires or"
          + " its removal, on every replica. Prints the entry.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Service service;

    @Option(names = "--list", required = true, description = "The list's name: lowercase"
        + " letters, digits, '-', '_' or '.' (fraud-ring).")
    String list;

    @Option(names = "--kind", required = true, description = "allow or block.")
    String kind;

    @Option(names = "--entity", required = true, description = "What the value is: account,"
        + " customer, card, device, merchant, routing-number or check-fingerprint"
        + " (micr:FINGERPRINT or image:FINGERPRINT).")
    String entity;

    @Option(names = "--value", required = true, description = "The value as requests carry it.")
    String value;

    @Option(names = "--reason", required = true, description = "Why it is listed.")
    String reason;

    @Option(names = "--expires", paramLabel = "INSTANT", description = "When it stops applying"
        + " (RFC 3339, 2026-12-31T00:00:00Z); none by default.")
    Instant expires;

    @Override
    public Integer call() throws IOException {
      var request = AddListEntryRequest.newBuilder().setList(list)
          .setKind(ListKind.valueOf("LIST_KIND_" + upper("--kind", kind,
              List.of("ALLOW", "BLOCK"))))
          .setEntity(ListedEntity.valueOf("LISTED_ENTITY_" + upper("--entity", entity,
              Stream.of(Listing.Entity.values()).map(Enum::name).toList())))
          .setValue(value).setReason(reason);
      if (expires != null) {
        request.setExpiresAt(EventCodec.timestamp(expires.toEpochMilli()));
      }
      ListEntry added = service.call(admin -> admin.addListEntry(request.build()));
      print(spec.commandLine().getOut(), List.of(added));
      return 0;
    }

    private String upper(String option, String text, List<String> known) {
      String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      if (!known.contains(name)) {
        throw new ParameterException(spec.commandLine(), option + ": unknown '" + text
            + "' (one of " + String.join(", ", known).toLowerCase(Locale.ROOT).replace('_', '-')
            + ")");
      }
      return name;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove an entry from now on (it still applies to anything before).")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Service service;

    @Parameters(paramLabel = "ID", description = "The entry's id (le-...).")
    String id;

    @Option(names = "--reason", required = true, description = "Why it is removed.")
    String reason;

    @Override
    public Integer call() throws IOException {
      ListEntry removed = service.call(admin -> admin.removeListEntry(RemoveListEntryRequest
          .newBuilder().setId(id).setReason(reason).build()));
      print(spec.commandLine().getOut(), List.of(removed));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "The entries in force now (--all: every entry ever added), oldest first.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Service service;

    @Option(names = "--list", description = "Only this list.")
    String list;

    @Option(names = "--all", description = "Also the expired and removed entries.")
    boolean all;

    @Override
    public Integer call() throws IOException {
      List<ListEntry> entries = service.call(admin -> admin.listListEntries(
          ListListEntriesRequest.newBuilder().setList(list == null ? "" : list)
              .setIncludeInactive(all).build()).getEntriesList());
      print(spec.commandLine().getOut(), entries);
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write every entry ever added, each in its latest state, as JSON Lines (one"
          + " ListEntry per line): what a backtest loads to see the lists as they stood at each"
          + " event's time.")
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Service service;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file"
        + " written (replaced).")
    Path out;

    @Override
    public Integer call() throws IOException {
      List<ListEntry> entries = service.call(admin -> admin.listListEntries(
          ListListEntriesRequest.newBuilder().setIncludeInactive(true).build())
          .getEntriesList());
      try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        for (ListEntry e : entries) {
          w.write(ListBook.jsonLine(Listing.of(e)));
          w.write('\n');
        }
      }
      spec.commandLine().getOut().println(entries.size() + " entries written to " + out);
      return 0;
    }
  }

  static void print(PrintWriter out, List<ListEntry> entries) {
    out.printf("%-40s %-16s %-5s %-17s %-24s %-20s %-20s %-12s %s%n", "id", "list", "kind",
        "entity", "value", "added", "ends", "author", "reason");
    for (ListEntry e : entries) {
      Listing l = Listing.of(e);
      long end = l.endMillis();
      out.printf("%-40s %-16s %-5s %-17s %-24s %-20s %-20s %-12s %s%n", l.id(), l.list(),
          l.kind(), l.entity(), l.value(), Instant.ofEpochMilli(l.addedAtMillis()),
          end == Listing.NEVER ? "-" : Instant.ofEpochMilli(end)
              + (l.removedAtMillis() == end ? " (removed)" : ""), l.author(), l.reason());
    }
    out.flush();
  }
}
