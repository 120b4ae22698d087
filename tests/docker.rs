//! The Docker build as the repository describes it: no Docker engine runs in CI, so these read the files the
//! build reads and check what matters to a user building the image.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `target/` (over a gigabyte after a build), `.git` and local databases stay out of the build context.
#[test]
fn the_build_context_leaves_out_target_and_local_data() {
    let ignore = read(".dockerignore");
    let lines: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for must in ["target", ".git", "data", "*.db"] {
        assert!(lines.contains(&must), "{must} not ignored:\n{ignore}");
    }
}

/// The dependencies build in a layer before herald's sources are copied, so a code change does not rebuild
/// them; the README's `docker run` publishes the metrics port and says how to use a host folder.
#[test]
fn dependencies_build_in_their_own_layer_and_the_readme_publishes_metrics() {
    let docker = read("Dockerfile");
    let deps = docker
        .find("cargo build --release --locked")
        .expect("a release build");
    let sources = docker.find("COPY src src").expect("the sources are copied");
    assert!(
        deps < sources,
        "dependencies must build before the sources are copied"
    );
    assert!(
        docker[sources..].contains("cargo build --release --locked --bin herald"),
        "herald builds after its sources"
    );
    let readme = read("README.md");
    assert!(
        readme.contains("docker run -d --name herald -e DISCORD_TOKEN=... -v herald-data:/data -p 9464:9464 herald"),
        "README's docker run publishes 9464"
    );
    assert!(
        readme.contains("chown 10001"),
        "README says how to own a host folder"
    );
}
