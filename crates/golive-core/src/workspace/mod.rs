//! The scanned repository: every text file read once, classified, its documents parsed lazily
//! (at most once, shared by all checks), and the facets that decide which checks apply.

mod classify;
mod embedded;
mod facets;
mod generated;
mod walk;

pub use classify::{FileKind, Lang, classify};
pub use embedded::{EmbeddedYaml, is_yaml_key};
pub use facets::is_rule_file;
pub use generated::{AUTOMATED_END, AUTOMATED_START, READINESS_FILE, hide_generated};
pub use walk::{SKIPPED_DIRS, Skipped};

use crate::inline_ignore::{self, InlineIgnore};
use crate::kube::{KubeObject, KubeRef};
use crate::model::{Facet, Location};
use crate::parse::codeowners::{self, Codeowners};
use crate::parse::dockerfile::{self, Dockerfile, DockerfileError};
use crate::parse::hcl::{self, HclError, HclFile};
use crate::parse::markdown::{self, Markdown};
use crate::parse::yaml::{self, YamlDoc, YamlError};
use crate::render::Renders;
use crate::text::LineIndex;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `dir` + `rel` as a path of the scan, normalising `.` and `..` (None when it climbs out of
/// the root): how a file's references to other files (kustomize resources, module sources,
/// includes) are resolved.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.trim_end_matches('/').split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Files larger than this are skipped (counted as too large).
    pub max_file_size: u64,
    /// Walker threads (0: one per core).
    pub threads: usize,
    /// Paths (relative to the root) not read at all: golive.toml's `exclude`.
    pub exclude: Option<globset::GlobSet>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: 4 * 1024 * 1024,
            threads: 0,
            exclude: None,
        }
    }
}

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}: no such directory")]
    NotFound(PathBuf),
    #[error("{0}: not a directory (golive check scans a repository folder)")]
    NotADirectory(PathBuf),
}

/// One text file of the repository.
pub struct SourceFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub text: String,
    lines: OnceLock<LineIndex>,
    yaml: OnceLock<Result<Vec<YamlDoc>, YamlError>>,
    json: OnceLock<Result<Vec<YamlDoc>, YamlError>>,
    hcl: OnceLock<Result<HclFile, HclError>>,
    dockerfile: OnceLock<Result<Dockerfile, DockerfileError>>,
    markdown: OnceLock<Markdown>,
    codeowners: OnceLock<Codeowners>,
    readiness: OnceLock<crate::readiness::Readiness>,
    embedded: OnceLock<Vec<EmbeddedYaml>>,
    ignores: Vec<InlineIgnore>,
    /// For the objects of a rendering (a kustomize overlay, Helm output): its name
    /// (`overlays/prod`, `<stdin>`). None for files of the repository.
    pub rendered_by: Option<String>,
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .finish()
    }
}

impl SourceFile {
    pub fn new(path: impl Into<String>, kind: FileKind, text: String) -> SourceFile {
        let ignores = inline_ignore::parse(&text);
        SourceFile {
            path: path.into(),
            kind,
            text,
            lines: OnceLock::new(),
            yaml: OnceLock::new(),
            json: OnceLock::new(),
            hcl: OnceLock::new(),
            dockerfile: OnceLock::new(),
            markdown: OnceLock::new(),
            codeowners: OnceLock::new(),
            readiness: OnceLock::new(),
            embedded: OnceLock::new(),
            ignores,
            rendered_by: None,
        }
    }

    /// A file of rendered objects (no text of its own: every node knows the file it comes
    /// from, see [`crate::parse::yaml::Node::origin`]).
    pub fn rendered(path: String, docs: Vec<YamlDoc>, label: String) -> SourceFile {
        let mut file = SourceFile::new(path, FileKind::Yaml, String::new());
        let _ = file.yaml.set(Ok(docs));
        file.rendered_by = Some(label);
        file
    }

    /// The file name (last path component).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The directory part of the path ("" at the root).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The text of a 1-based line.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        self.lines().line_text(&self.text, line)
    }

    /// The location of a byte range of the text.
    pub fn location_of(&self, range: std::ops::Range<usize>) -> Location {
        let (line, column) = self.lines().position(&self.text, range.start);
        let (end_line, end_column) = self.lines().position(&self.text, range.end);
        Location {
            path: self.path.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The YAML documents (YAML files only; Helm templates are never parsed).
    pub fn yaml(&self) -> Result<&[YamlDoc], &YamlError> {
        if self.kind != FileKind::Yaml {
            return Ok(&[]);
        }
        self.yaml
            .get_or_init(|| yaml::parse(&self.text))
            .as_ref()
            .map(Vec::as_slice)
    }

    /// The YAML documents, or none when the file does not parse (that is its own finding).
    pub fn yaml_docs(&self) -> &[YamlDoc] {
        self.yaml().unwrap_or(&[])
    }

    /// A JSON file as a span tree (JSON is YAML, so the same reader keeps lines and columns),
    /// parsed on first use and shared by every check; empty for other kinds and for files that
    /// do not parse. Unlike YAML, JSON files are not parsed up front: most are data no check reads.
    pub fn json(&self) -> &[YamlDoc] {
        if self.kind != FileKind::Json {
            return &[];
        }
        self.json
            .get_or_init(|| yaml::parse(&self.text))
            .as_ref()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// YAML files embedded as strings in this file's ConfigMaps (`data`) and Secrets
    /// (`stringData`) under a YAML-looking key (`alerts.yaml`, `alertmanager.yml`, `*.rules`),
    /// parsed on first use with positions in this file. Empty for other kinds, rendered files
    /// and files that do not parse.
    pub fn embedded_yaml(&self) -> &[EmbeddedYaml] {
        if self.kind != FileKind::Yaml || self.rendered_by.is_some() {
            return &[];
        }
        self.embedded
            .get_or_init(|| embedded::collect(&self.text, self.yaml_docs()))
    }

    /// The HCL body (Terraform, tfvars, other HCL files).
    pub fn hcl(&self) -> Option<Result<&HclFile, &HclError>> {
        matches!(
            self.kind,
            FileKind::Terraform | FileKind::TfVars | FileKind::Hcl
        )
        .then(|| self.hcl.get_or_init(|| hcl::parse(&self.text)).as_ref())
    }

    pub fn dockerfile(&self) -> Option<Result<&Dockerfile, &DockerfileError>> {
        (self.kind == FileKind::Dockerfile).then(|| {
            self.dockerfile
                .get_or_init(|| dockerfile::parse(&self.text))
                .as_ref()
        })
    }

    pub fn markdown(&self) -> Option<&Markdown> {
        (self.kind == FileKind::Markdown)
            .then(|| self.markdown.get_or_init(|| markdown::parse(&self.text)))
    }

    pub fn codeowners(&self) -> Option<&Codeowners> {
        (self.kind == FileKind::Codeowners).then(|| {
            self.codeowners
                .get_or_init(|| codeowners::parse(&self.text))
        })
    }

    /// The file read as READINESS.md (marked task-list items), parsed once.
    pub fn readiness(&self) -> &crate::readiness::Readiness {
        self.readiness
            .get_or_init(|| crate::readiness::parse(&self.text))
    }

    /// `golive:ignore` comments in this file.
    pub fn inline_ignores(&self) -> &[InlineIgnore] {
        &self.ignores
    }
}

/// The scanned repository.
pub struct Workspace {
    root: PathBuf,
    files: Vec<SourceFile>,
    index: HashMap<String, usize>,
    skipped: Skipped,
    facets: OnceLock<BTreeSet<Facet>>,
    kube: OnceLock<Vec<KubeRef>>,
    renders: OnceLock<Renders>,
    /// `--manifests` inputs: (label, text).
    manifests: Vec<(String, String)>,
    /// `--history`: the lines the repository's git history added.
    history: Option<crate::history::GitHistory>,
}

impl Workspace {
    /// Walks and reads `root`.
    pub fn scan(root: &Path, options: &ScanOptions) -> Result<Workspace, ScanError> {
        if !root.exists() {
            return Err(ScanError::NotFound(root.to_path_buf()));
        }
        if !root.is_dir() {
            return Err(ScanError::NotADirectory(root.to_path_buf()));
        }
        let (raw, skipped) = walk::walk(root, options);
        let files = raw.into_iter().map(|f| (f.path, f.text)).collect();
        let mut ws = Workspace::from_files(files);
        ws.root = root.to_path_buf();
        ws.skipped = skipped;
        Ok(ws)
    }

    /// A workspace of in-memory files given as string slices (tests, examples).
    pub fn from_texts(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_files(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        )
    }

    /// A workspace of in-memory files (`path`, `text`), e.g. rendered manifests or tests.
    pub fn from_files(mut files: Vec<(String, String)>) -> Workspace {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files.dedup_by(|a, b| a.0 == b.0);
        let chart_dirs: BTreeSet<String> = files
            .iter()
            .filter(|(p, _)| p.rsplit('/').next() == Some("Chart.yaml"))
            .map(|(p, _)| {
                p.rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default()
            })
            .collect();
        let files: Vec<SourceFile> = files
            .into_par_iter()
            .map(|(path, text)| {
                let mut kind = classify(&path);
                if kind == FileKind::Yaml && is_helm_template(&path, &text, &chart_dirs) {
                    kind = FileKind::HelmTemplate;
                }
                let text = hide_generated(&path, text);
                SourceFile::new(path, kind, text)
            })
            .collect();
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        Workspace {
            root: PathBuf::new(),
            files,
            index,
            skipped: Skipped::default(),
            facets: OnceLock::new(),
            kube: OnceLock::new(),
            renders: OnceLock::new(),
            manifests: Vec::new(),
            history: None,
        }
    }

    /// Attaches the repository's git history (`golive check --history`).
    pub fn set_history(&mut self, history: crate::history::GitHistory) {
        self.history = Some(history);
    }

    /// The repository's git history, when `--history` asked for it.
    pub fn history(&self) -> Option<&crate::history::GitHistory> {
        self.history.as_ref()
    }

    /// Adds rendered manifests (`helm template` output, `kustomize build` output, any
    /// multi-document YAML) to check as deployed objects; `label` names them in reports (a path
    /// or `<stdin>`). When the input is a file of the scan (`label` is its path), its objects
    /// are checked once, as rendered manifests.
    pub fn add_manifests(&mut self, label: impl Into<String>, text: String) {
        self.manifests.push((label.into(), text));
        self.renders = OnceLock::new();
        self.kube = OnceLock::new();
    }

    pub(crate) fn manifest_inputs(&self) -> &[(String, String)] {
        &self.manifests
    }

    /// Kustomize overlays and `--manifests` input, rendered once and shared by every check.
    pub fn renders(&self) -> &Renders {
        self.renders.get_or_init(|| Renders::compute(self))
    }

    /// A file of the scan or of a rendering, by its index in the Kubernetes object index.
    pub(crate) fn kube_file(&self, index: usize) -> Option<&SourceFile> {
        match index.checked_sub(self.files.len()) {
            None => self.files.get(index),
            Some(i) => self.renders().files().nth(i),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every file read, sorted by path.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.index.get(path).map(|&i| &self.files[i])
    }

    pub fn files_of(&self, kind: FileKind) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(move |f| f.kind == kind)
    }

    pub fn skipped(&self) -> &Skipped {
        &self.skipped
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.text.len() as u64).sum()
    }

    /// What the repository contains (computed once; parses YAML in parallel on first use).
    pub fn facets(&self) -> &BTreeSet<Facet> {
        self.facets.get_or_init(|| facets::detect(self))
    }

    pub fn has(&self, facet: Facet) -> bool {
        self.facets().contains(&facet)
    }

    /// Every Kubernetes object in the scanned YAML (including items of `kind: List`).
    pub fn kube_objects(&self) -> impl Iterator<Item = KubeObject<'_>> {
        let refs = self.kube.get_or_init(|| crate::kube::index(self));
        refs.iter().filter_map(|r| r.resolve(self))
    }

    /// Parses every YAML file now, in parallel (so later single-threaded access is free).
    pub fn parse_yaml_in_parallel(&self) {
        self.files.par_iter().for_each(|f| {
            let _ = f.yaml();
        });
    }
}

/// Under a chart's `templates/` and containing template actions.
fn is_helm_template(path: &str, text: &str, chart_dirs: &BTreeSet<String>) -> bool {
    if !text.contains("{{") {
        return false;
    }
    chart_dirs.iter().any(|chart| {
        let prefix = if chart.is_empty() {
            "templates/".to_string()
        } else {
            format!("{chart}/templates/")
        };
        path.starts_with(&prefix)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_templates_are_recognised_only_inside_charts() {
        let ws = Workspace::from_files(vec![
            ("chart/Chart.yaml".into(), "name: x\n".into()),
            (
                "chart/templates/dep.yaml".into(),
                "kind: {{ .Values.kind }}\n".into(),
            ),
            (
                "chart/templates/plain.yaml".into(),
                "kind: Service\n".into(),
            ),
            ("other/templates/x.yaml".into(), "a: '{{ x }}'\n".into()),
        ]);
        assert_eq!(
            ws.file("chart/templates/dep.yaml").unwrap().kind,
            FileKind::HelmTemplate
        );
        assert_eq!(
            ws.file("chart/templates/plain.yaml").unwrap().kind,
            FileKind::Yaml
        );
        assert_eq!(
            ws.file("other/templates/x.yaml").unwrap().kind,
            FileKind::Yaml
        );
        assert!(ws.has(Facet::Helm));
    }

    #[test]
    fn json_files_are_read_as_span_trees_once() {
        let ws = Workspace::from_files(vec![
            (
                "package.json".into(),
                "{\n  \"dependencies\": {\n    \"prom-client\": \"15\"\n  }\n}\n".into(),
            ),
            ("a.yaml".into(), "a: 1\n".into()),
        ]);
        let pkg = ws.file("package.json").unwrap();
        let root = pkg.json()[0].root().unwrap();
        let (key, _) = root.get("dependencies").unwrap().entries().next().unwrap();
        assert_eq!((key.as_str(), key.line()), (Some("prom-client"), 3));
        assert!(std::ptr::eq(pkg.json(), pkg.json()));
        assert!(ws.file("a.yaml").unwrap().json().is_empty());
    }

    #[test]
    fn scan_reads_dotfiles_honours_gitignore_and_counts_skips() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::write(root.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::write(root.join("build/out.yaml"), "a: 1\n").unwrap();
        std::fs::write(root.join("node_modules/x/package.json"), "{}").unwrap();
        std::fs::write(root.join("logo.png"), [0x89, b'P', b'N', b'G', 0, 0, 1]).unwrap();
        std::fs::write(root.join("latin1.txt"), b"caf\xE9").unwrap();
        let ws = Workspace::scan(root, &ScanOptions::default()).unwrap();
        let paths: Vec<&str> = ws.files().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec![".github/workflows/ci.yml", ".gitignore"]);
        assert_eq!(ws.skipped().binary, 1);
        assert_eq!(ws.skipped().non_utf8, 1);
        assert!(ws.has(Facet::GithubActions));
    }
}
