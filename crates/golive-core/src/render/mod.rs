//! What gets deployed, rather than what is written: kustomize overlays rendered the way
//! `kustomize build` renders them, and Helm output (`helm template`) mapped back to its templates.
//! Rendered objects are YAML documents whose nodes keep the file and line they come from.

pub mod helm;
pub mod kustomize;
mod patch;
mod transform;
mod tree;

use crate::model::Location;
use crate::workspace::{SourceFile, Workspace};
use std::collections::BTreeSet;

pub use kustomize::{KUSTOMIZATION_NAMES, Rendering};

/// Something golive could not render, or renders without a feature it does not support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderIssue {
    pub location: Location,
    pub message: String,
    /// A feature golive does not render (the rest of the overlay is still checked), as opposed
    /// to an error kustomize itself would stop at.
    pub unsupported: bool,
}

/// Every rendering of a scan.
#[derive(Default)]
pub struct Renders {
    pub kustomize: Vec<Rendering>,
    pub helm: Vec<helm::Manifests>,
    pub issues: Vec<RenderIssue>,
    /// Files whose objects are checked through a rendering (so not on their own).
    pub consumed: BTreeSet<String>,
}

impl Renders {
    pub(crate) fn compute(ws: &Workspace) -> Renders {
        let (kustomize, mut issues) = kustomize::render_all(ws);
        let helm: Vec<helm::Manifests> = ws
            .manifest_inputs()
            .iter()
            .map(|(label, text)| helm::Manifests::read(ws, label, text))
            .collect();
        for h in &helm {
            issues.extend(h.issues.iter().cloned());
        }
        let mut consumed = kustomize::referenced_files(ws);
        consumed.extend(
            ws.manifest_inputs()
                .iter()
                .filter(|(label, _)| ws.file(label).is_some())
                .map(|(label, _)| label.clone()),
        );
        consumed.extend(kustomize.iter().flat_map(|r| r.consumed.iter().cloned()));
        Renders {
            kustomize,
            helm,
            issues,
            consumed,
        }
    }

    /// The rendered files, in order: kustomize renderings, then Helm output.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.kustomize
            .iter()
            .map(|r| &r.file)
            .chain(self.helm.iter().map(|h| &h.file))
    }
}
