//! Writing results: to stdout, or to `--output PATH`, treating what is at
//! PATH with care:
//!
//! - nothing there, or a regular file: written atomically (a temporary file
//!   in the same directory, then a rename), so a reader never sees half a
//!   report; an existing file keeps its permissions;
//! - a symbolic link: followed (chains too), and its final target is
//!   written as above; the link itself stays;
//! - a character device (`/dev/null`, `/dev/stdout`) or a named pipe:
//!   written directly, never replaced;
//! - a directory (or a block device or socket): refused, untouched.

use anyhow::{Context, Result, bail};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Most symbolic links followed before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// Write `text` to `output`, or to stdout when `None`.
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => write_file(path, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            ignore_broken_pipe(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
                .context("cannot write to stdout")
        }
    }
}

/// `nova ... | head` closes the pipe early: not an error.
fn ignore_broken_pipe(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// What `--output PATH` designates once symbolic links are followed.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Absent or a regular file: replace it atomically.
    File(PathBuf),
    /// A character device or a named pipe: write into it.
    Stream(PathBuf),
}

/// Follow `path` through symbolic links and decide how to write it.
fn target(path: &Path) -> Result<Target> {
    let mut at = path.to_path_buf();
    for _ in 0..=MAX_SYMLINKS {
        let meta = match fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::File(at)),
            Err(e) => return Err(e).with_context(|| format!("cannot write {}", at.display())),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link =
                fs::read_link(&at).with_context(|| format!("cannot read link {}", at.display()))?;
            at = match at.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_file() {
            return Ok(Target::File(at));
        }
        if kind.is_dir() {
            bail!(
                "cannot write {}: {} is a directory (give a file name)",
                path.display(),
                at.display()
            );
        }
        if is_stream(&kind) {
            return Ok(Target::Stream(at));
        }
        bail!(
            "cannot write {}: {} is neither a regular file, a character device nor a named pipe",
            path.display(),
            at.display()
        );
    }
    bail!(
        "cannot write {}: more than {MAX_SYMLINKS} symbolic links (a loop?)",
        path.display()
    )
}

#[cfg(unix)]
fn is_stream(kind: &fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_: &fs::FileType) -> bool {
    false
}

/// Write `bytes` to `path` (see the module docs for what each kind of
/// file gets).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    match target(path)? {
        Target::File(file) => write_atomic(&file, bytes)
            .with_context(|| format!("cannot write {}", describe(path, &file))),
        Target::Stream(dev) => {
            let written = fs::OpenOptions::new()
                .write(true)
                .open(&dev)
                .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()));
            ignore_broken_pipe(written)
                .with_context(|| format!("cannot write {}", describe(path, &dev)))
        }
    }
}

/// `path`, or `path (-> target)` when a link was followed.
fn describe(path: &Path, target: &Path) -> String {
    if path == target {
        path.display().to_string()
    } else {
        format!("{} (-> {})", path.display(), target.display())
    }
}

/// Replace (or create) the regular file `path` atomically: a temporary file
/// beside it, synced, then renamed over it. An existing file's permissions
/// are kept.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let tmp = dir.join(format!(".{name}.nova-tmp-{}", std::process::id()));
    let previous = fs::metadata(path).ok().map(|m| m.permissions());
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some(p) = previous {
            f.set_permissions(p)?;
        }
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn absent_and_regular_files_are_replaced_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.md");
        write_file(&p, b"one").unwrap();
        write_file(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        // No temporary file is left behind.
        assert_eq!(names(dir.path()), vec!["out.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("private.json");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_file(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn missing_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope/out.md");
        let e = write_file(&p, b"x").unwrap_err();
        assert!(format!("{e:#}").contains("cannot write"), "{e:#}");
    }

    #[test]
    fn a_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("reports");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("keep.md"), "kept").unwrap();
        let e = write_file(&d, b"x").unwrap_err();
        assert!(format!("{e:#}").contains("is a directory"), "{e:#}");
        assert!(d.is_dir());
        assert_eq!(names(&d), vec!["keep.md"]);
        assert_eq!(names(dir.path()), vec!["reports"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let real = elsewhere.join("report.md");
        fs::write(&real, "old").unwrap();
        // A relative link, through a second link.
        let link = dir.path().join("report.md");
        std::os::unix::fs::symlink("elsewhere/report.md", &link).unwrap();
        let link2 = dir.path().join("latest.md");
        std::os::unix::fs::symlink(&link, &link2).unwrap();
        write_file(&link2, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(&link2)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(names(&elsewhere), vec!["report.md"]);
        assert_eq!(
            names(dir.path()),
            vec!["elsewhere", "latest.md", "report.md"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_creates_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out.md");
        std::os::unix::fs::symlink("new.md", &link).unwrap();
        write_file(&link, b"made").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("new.md")).unwrap(),
            "made"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let e = write_file(&a, b"x").unwrap_err();
        assert!(format!("{e:#}").contains("symbolic links"), "{e:#}");
        assert!(fs::symlink_metadata(&a).unwrap().file_type().is_symlink());
    }

    /// A named pipe stands in for a device: it is written into, not
    /// replaced by a regular file.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(&fifo).unwrap())
        };
        write_file(&fifo, b"through the pipe").unwrap();
        // (Checked before joining: a replaced pipe would leave the reader
        // waiting forever.)
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert_eq!(names(dir.path()), vec!["pipe"]);
    }

    #[test]
    fn targets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        assert_eq!(target(&p).unwrap(), Target::File(p.clone()));
        #[cfg(unix)]
        assert_eq!(
            target(Path::new("/dev/null")).unwrap(),
            Target::Stream(PathBuf::from("/dev/null"))
        );
    }
}
