package dev.vigil.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The release artifacts ./vigil dist writes, unpacked as an operator would: the service's and the
 * tools' tarballs under a directory of their own, the job jar as it is.
 *
 * @param service the unpacked vigil-service-VERSION/ (bin/vigil-service, lib/)
 * @param tools the unpacked vigil-tools-VERSION/ (bin/vigil, lib/)
 * @param jobJar vigil-profile-job-VERSION.jar, for flink run
 */
record Release(Path service, Path tools, Path jobJar) {
  /** Finds VERSION's artifacts in {@code dist} and unpacks the tarballs under {@code into}. */
  static Release unpack(Path dist, String version, Path into, Path logs)
      throws IOException, InterruptedException {
    Path jar = existing(dist.resolve("vigil-profile-job-" + version + ".jar"));
    Files.createDirectories(into);
    return new Release(untar(dist, "vigil-service-" + version, into, logs),
        untar(dist, "vigil-tools-" + version, into, logs), jar);
  }

  private static Path untar(Path dist, String name, Path into, Path logs)
      throws IOException, InterruptedException {
    Path tarball = existing(dist.resolve(name + ".tar.gz"));
    var tar = new Node("untar-" + name, List.of("tar", "-xzf", tarball.toString(), "-C",
        into.toString()), Map.of(), logs).start();
    if (tar.waitFor(300) != 0) {
      throw new IOException("unpacking " + tarball + " failed\n" + tar.tail());
    }
    return existing(into.resolve(name));
  }

  private static Path existing(Path p) throws IOException {
    if (!Files.exists(p)) {
      throw new IOException(p + " is missing: ./vigil dist writes it");
    }
    return p;
  }

  Path serviceLauncher() {
    return service.resolve("bin/vigil-service");
  }

  Path toolsLauncher() {
    return tools.resolve("bin/vigil");
  }
}
