//! Finding template candidates on disk: the one walk that both the
//! workspace index and `check` use.

use std::path::{Path, PathBuf};

/// A file the workspace looks at: YAML or JSON by extension.
pub(crate) fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

/// Template candidates under `dir`, sorted, honouring .gitignore and
/// skipping the usual build and tool directories and pseudo file systems.
pub fn walk_dir(dir: &Path) -> Vec<PathBuf> {
    walk(dir, &IndexLimits::NONE).files
}

/// How much of one workspace folder is indexed at most: a folder such as
/// `/` or a home directory holds far more YAML and JSON than templates, and
/// reading all of it would take minutes and gigabytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexLimits {
    /// Candidate files (YAML and JSON) read.
    pub files: usize,
    /// Their bytes, together.
    pub bytes: u64,
}

impl IndexLimits {
    /// The settings `openjd.files.maxIndexedFiles` and
    /// `openjd.files.maxIndexedMiB` unless set: a thousand times the
    /// templates of a large real repository, read in a few seconds.
    pub const DEFAULT: IndexLimits = IndexLimits {
        files: 20_000,
        bytes: 256 << 20,
    };
    /// No cap (`check` reads what it is told to).
    pub const NONE: IndexLimits = IndexLimits {
        files: usize::MAX,
        bytes: u64::MAX,
    };
}

impl Default for IndexLimits {
    fn default() -> Self {
        IndexLimits::DEFAULT
    }
}

/// What a walk of one folder found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Template candidates, sorted.
    pub files: Vec<PathBuf>,
    /// Their bytes, together (files over the size cap, not read, count 0).
    pub bytes: u64,
    /// The walk stopped at a limit: more candidates were left.
    pub capped: bool,
    /// The folder is (on) a pseudo file system and was not walked.
    pub pseudo: bool,
}

/// Template candidates under `dir` (see [`walk_dir`]) up to `limits`: the
/// walk stops at the first candidate past them, in a fixed order (names
/// sorted at each level), so the same files are indexed each time.
pub fn walk(dir: &Path, limits: &IndexLimits) -> Walked {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mounts = pseudo_mounts();
    if is_pseudo(&canonical, &mounts) {
        return Walked {
            pseudo: true,
            ..Walked::default()
        };
    }
    let skipped = pseudo_below(dir, &canonical, mounts);
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            if !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !matches!(name.as_ref(), ".git" | "target" | "node_modules")
                && !skipped.iter().any(|s| s == e.path())
        })
        .build();
    let mut walked = Walked::default();
    let size_cap = max_file_bytes() as u64;
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_some_and(|t| t.is_file()) || !is_candidate(entry.path()) {
            continue;
        }
        let len = entry.metadata().map_or(0, |m| m.len());
        let read = if len > size_cap { 0 } else { len };
        if walked.files.len() >= limits.files || walked.bytes.saturating_add(read) > limits.bytes {
            walked.capped = true;
            break;
        }
        walked.bytes += read;
        walked.files.push(entry.into_path());
    }
    walked.files.sort();
    walked
}

/// Folders that hold the kernel's view of the machine, not files anyone
/// writes: walking them never ends (`/proc/self/root` is `/`) or blocks.
const PSEUDO_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// File system types of the same kind, wherever they are mounted.
const PSEUDO_FS_TYPES: [&str; 17] = [
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "configfs",
    "fusectl",
    "mqueue",
    "hugetlbfs",
    "binfmt_misc",
    "efivarfs",
];

/// Pseudo file systems below the folder `dir` (on disk `canonical`), as
/// paths a walk of `dir` meets: `dir` may be a symbolic link.
fn pseudo_below(dir: &Path, canonical: &Path, mounts: Vec<PathBuf>) -> Vec<PathBuf> {
    PSEUDO_DIRS
        .iter()
        .map(PathBuf::from)
        .chain(mounts)
        .filter_map(|m| Some(dir.join(m.strip_prefix(canonical).ok()?)))
        .collect()
}

fn is_pseudo(dir: &Path, mounts: &[PathBuf]) -> bool {
    PSEUDO_DIRS
        .iter()
        .map(Path::new)
        .chain(mounts.iter().map(PathBuf::as_path))
        .any(|p| dir.starts_with(p))
}

/// Mount points of pseudo file systems, from `/proc/self/mountinfo`; none
/// where it cannot be read (not Linux, no `/proc`).
fn pseudo_mounts() -> Vec<PathBuf> {
    read_text(Path::new("/proc/self/mountinfo"))
        .map(|text| pseudo_mounts_in(&text))
        .unwrap_or_default()
}

/// A mountinfo line: `36 35 98:0 /root /mnt rw,noatime master:1 - ext3
/// /dev/root rw`; the fifth field is the mount point (spaces as `\040`),
/// the first after ` - ` the file system type.
fn pseudo_mounts_in(mountinfo: &str) -> Vec<PathBuf> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (fields, rest) = line.split_once(" - ")?;
            let fs_type = rest.split(' ').next()?;
            let point = fields.split(' ').nth(4)?;
            PSEUDO_FS_TYPES
                .contains(&fs_type)
                .then(|| PathBuf::from(unescape_mount_point(point)))
        })
        .collect()
}

/// `\040` → space: mountinfo writes space, tab, newline and backslash as
/// three octal digits after a backslash.
fn unescape_mount_point(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let digits = rest.get(at + 1..at + 4);
        match digits.and_then(|d| u8::from_str_radix(d, 8).ok()) {
            Some(b) => {
                out.push(char::from(b));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The nearest queue configuration file (`openjd-lsp.yaml`,
/// `.openjd-lsp.yaml`) at or above each path, each once.
pub(crate) fn nearest_configs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        let Ok(abs) = std::fs::canonicalize(p) else {
            continue;
        };
        let start = if abs.is_dir() {
            Some(abs.as_path())
        } else {
            abs.parent()
        };
        let hit = start.and_then(|dir| {
            dir.ancestors().find_map(|d| {
                super::CONFIG_FILES
                    .iter()
                    .map(|n| d.join(n))
                    .find(|c| c.is_file())
            })
        });
        if let Some(c) = hit.filter(|c| !found.contains(c)) {
            found.push(c);
        }
    }
    found
}

/// The largest file read from disk unless the `openjd.files.maxSizeMiB`
/// setting says otherwise: 16 MiB, far above any real template.
pub(crate) const DEFAULT_MAX_FILE_BYTES: usize = 16 << 20;

static MAX_FILE_BYTES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(DEFAULT_MAX_FILE_BYTES);

/// Set the size cap of [`read_text`] (the `openjd.files.maxSizeMiB` setting).
pub(crate) fn set_max_file_bytes(bytes: usize) {
    MAX_FILE_BYTES.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn max_file_bytes() -> usize {
    MAX_FILE_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

/// What an open document larger than the size cap gets instead of an
/// analysis: an empty one with a `file-too-large` warning that names the
/// setting (the editor shows why nothing else is reported).
pub(crate) fn too_large_document(
    size: usize,
    options: &crate::analysis::Options,
) -> crate::analysis::Analysis {
    let limit = max_file_bytes();
    let mut a = crate::analysis::analyze("", options);
    a.diagnostics.push(crate::analysis::Diagnostic::new(
        crate::analysis::Code::FileTooLarge,
        0..0,
        format!(
            "This document is not analysed: {}",
            ReadError::TooLarge {
                size: size as u64,
                limit
            }
        ),
    ));
    a
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    /// A FIFO, device, socket or directory: reading it could block forever
    /// or never end.
    NotRegular(&'static str),
    TooLarge {
        size: u64,
        limit: usize,
    },
    NotUtf8 {
        offset: usize,
    },
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "no such file"),
            ReadError::NotRegular(kind) => {
                write!(f, "it is {kind}, not a regular file, so it is not read")
            }
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is larger ({:.1} MiB) than the {} MiB files may have here (setting `openjd.files.maxSizeMiB`)",
                *size as f64 / (1u64 << 20) as f64,
                limit >> 20
            ),
            ReadError::NotUtf8 { offset } => write!(
                f,
                "not UTF-8 text (invalid byte at offset {offset}); templates must be UTF-8"
            ),
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

fn io_error(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e.to_string()),
    }
}

/// Open `path` for reading if it is a regular file within the size cap.
/// Symbolic links are followed (a loop is an error); the file is opened
/// without blocking, so a FIFO that appears between the check and the open
/// cannot hang the caller.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    let limit = max_file_bytes();
    if meta.len() > limit as u64 {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok((file, meta.len()))
}

/// Whether [`read_text`] would get past the file system: a regular file,
/// readable, within the size cap. Reads nothing.
pub fn probe(path: &Path) -> Result<(), ReadError> {
    open_regular(path).map(|_| ())
}

/// The text of a file on disk: only a regular file, at most the size cap
/// (also when it grows while being read), UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, ReadError> {
    use std::io::Read;
    let (file, len) = open_regular(path)?;
    let limit = max_file_bytes();
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("openjd-lsp-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    #[test]
    fn pseudo_file_systems_are_found_in_mountinfo() {
        let mountinfo = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=1k
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
31 27 0:26 / /home/me/my\\040sys rw - sysfs sysfs rw
40 27 0:30 / /srv/odd\\9 rw - cgroup2 cgroup2 rw
41 27 0:31 / /mnt/data rw - tmpfs tmpfs rw
not a mountinfo line
";
        assert_eq!(
            pseudo_mounts_in(mountinfo),
            ["/proc", "/dev", "/home/me/my sys", "/srv/odd\\9"].map(PathBuf::from)
        );
        let mounts = pseudo_mounts_in(mountinfo);
        assert!(is_pseudo(Path::new("/proc/1/root"), &[]));
        assert!(is_pseudo(Path::new("/home/me/my sys/kernel"), &mounts));
        assert!(!is_pseudo(Path::new("/home/me/projects"), &mounts));
        assert!(!is_pseudo(Path::new("/"), &mounts));
        // Walking `/` skips them, also through a link to `/`.
        let mounts = vec![PathBuf::from("/home/me/my sys")];
        assert_eq!(
            pseudo_below(Path::new("/"), Path::new("/"), mounts.clone()),
            ["/proc", "/sys", "/dev", "/home/me/my sys"].map(PathBuf::from)
        );
        assert_eq!(
            pseudo_below(Path::new("/ln"), Path::new("/home"), mounts),
            [PathBuf::from("/ln/me/my sys")]
        );
    }

    #[test]
    fn regular_files_are_read_within_the_cap() {
        let dir = scratch("regular");
        let f = dir.join("t.yaml");
        std::fs::write(&f, "name: x\n").expect("write");
        assert_eq!(read_text(&f).as_deref(), Ok("name: x\n"));
        assert_eq!(read_text(&dir.join("none.yaml")), Err(ReadError::NotFound));
        assert_eq!(read_text(&dir), Err(ReadError::NotRegular("a folder")));
        std::fs::write(&f, [b'a', 0xff]).expect("write");
        assert_eq!(read_text(&f), Err(ReadError::NotUtf8 { offset: 1 }));
        // A (sparse) file past the cap is refused before reading.
        let big = std::fs::File::create(&f).expect("create");
        big.set_len(DEFAULT_MAX_FILE_BYTES as u64 + 1)
            .expect("grow");
        assert!(matches!(
            read_text(&f),
            Err(ReadError::TooLarge {
                limit: DEFAULT_MAX_FILE_BYTES,
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_symlink_loops_are_refused_at_once() {
        let dir = scratch("special");
        let zero = dir.join("zero.yaml");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert_eq!(read_text(&zero), Err(ReadError::NotRegular("a device")));
        let fifo = dir.join("fifo.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(
                read_text(&fifo),
                Err(ReadError::NotRegular("a named pipe (FIFO)"))
            );
            assert!(probe(&fifo).is_err());
        }
        let a = dir.join("a.yaml");
        let b = dir.join("b.yaml");
        std::os::unix::fs::symlink(&b, &a).expect("symlink");
        std::os::unix::fs::symlink(&a, &b).expect("symlink");
        assert!(matches!(read_text(&a), Err(ReadError::Io(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
