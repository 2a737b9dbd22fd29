//! The parallel walk: honours .gitignore, never leaves the root, and reads each file once,
//! skipping binary, huge and non-UTF-8 files (counted, not silently dropped).

use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

/// Files golive did not read, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub binary: u32,
    pub too_large: u32,
    pub non_utf8: u32,
    pub symlinks: u32,
    pub unreadable: u32,
}

impl Skipped {
    pub fn total(&self) -> u32 {
        self.binary + self.too_large + self.non_utf8 + self.symlinks + self.unreadable
    }

    fn add(&mut self, other: &Skipped) {
        self.binary += other.binary;
        self.too_large += other.too_large;
        self.non_utf8 += other.non_utf8;
        self.symlinks += other.symlinks;
        self.unreadable += other.unreadable;
    }
}

/// Directories never worth reading: VCS internals and downloaded dependencies.
pub const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", ".terraform"];

pub(crate) struct RawFile {
    pub path: String,
    pub text: String,
}

enum Read {
    Text(String),
    Skip(fn(&mut Skipped)),
}

/// Walks `root` in parallel and reads every text file under `max_size` bytes.
pub(crate) fn walk(root: &Path, options: &super::ScanOptions) -> (Vec<RawFile>, Skipped) {
    let max_size = options.max_file_size;
    let exclude = options.exclude.clone();
    let root_owned = root.to_path_buf();
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Skipped::default());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIPPED_DIRS.iter().any(|d| e.file_name() == *d) {
                return false;
            }
            match &exclude {
                Some(set) if e.depth() > 0 => !set.is_match(relative(&root_owned, e.path())),
                _ => true,
            }
        })
        .build_parallel();
    walker.run(|| {
        let mut local = Collector {
            files: &files,
            skipped: &skipped,
            local_files: Vec::new(),
            local_skipped: Skipped::default(),
        };
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                local.local_skipped.unreadable += 1;
                return ignore::WalkState::Continue;
            };
            let Some(ft) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            if ft.is_symlink() {
                local.local_skipped.symlinks += 1;
            } else if ft.is_file() {
                let rel = relative(root, entry.path());
                match read(entry.path(), max_size) {
                    Read::Text(text) => local.local_files.push(RawFile { path: rel, text }),
                    Read::Skip(count) => count(&mut local.local_skipped),
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, skipped.into_inner().unwrap_or_default())
}

/// One walker thread's results, handed over when the thread's closure is dropped.
struct Collector<'m> {
    files: &'m Mutex<Vec<RawFile>>,
    skipped: &'m Mutex<Skipped>,
    local_files: Vec<RawFile>,
    local_skipped: Skipped,
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        if let Ok(mut f) = self.files.lock() {
            f.append(&mut self.local_files);
        }
        if let Ok(mut s) = self.skipped.lock() {
            s.add(&self.local_skipped);
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        // The root itself was a file.
        out = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    out
}

fn read(path: &Path, max_size: u64) -> Read {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > max_size => return Read::Skip(|s| s.too_large += 1),
        Ok(_) => {}
        Err(_) => return Read::Skip(|s| s.unreadable += 1),
    }
    let Ok(bytes) = std::fs::read(path) else {
        return Read::Skip(|s| s.unreadable += 1);
    };
    decode(bytes)
}

/// Bytes to text: UTF-8 (BOM stripped), or UTF-16 with a BOM; binary and other encodings skip.
fn decode(bytes: Vec<u8>) -> Read {
    if let Some(text) = decode_utf16(&bytes) {
        return Read::Text(text);
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Read::Skip(|s| s.binary += 1);
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Read::Text(text)
        }
        Err(_) => Read::Skip(|s| s.non_utf8 += 1),
    }
}

fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let le = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_and_strips_bom() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a: 1\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert!(matches!(decode(utf16), Read::Text(t) if t == "a: 1\n"));
        assert!(
            matches!(decode(b"\xEF\xBB\xBFkind: Pod".to_vec()), Read::Text(t) if t == "kind: Pod")
        );
        assert!(matches!(decode(b"\x00\x01\x02".to_vec()), Read::Skip(_)));
        assert!(matches!(decode(b"caf\xE9".to_vec()), Read::Skip(_)));
    }
}
