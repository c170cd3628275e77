//! All-or-nothing writes: every file is staged next to its target, then renamed into
//! place; a failure removes the staged files and restores the ones already renamed.

use std::path::{Path, PathBuf};

use crate::{FileChange, ScaffoldError};

const STAGED: &str = ".nova-scaffold.tmp";

/// Writes the files whose action writes; on any failure the tree is left as it was.
pub fn apply(root: &Path, files: &[&FileChange]) -> Result<(), ScaffoldError> {
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<(PathBuf, PathBuf, &FileChange)> = Vec::new();
    let result = stage(root, files, &mut created_dirs, &mut staged);
    if let Err(e) = result {
        for (tmp, _, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        remove_dirs(&created_dirs);
        return Err(e);
    }
    let mut done: Vec<(PathBuf, &FileChange)> = Vec::new();
    for (i, (tmp, target, file)) in staged.iter().enumerate() {
        if let Err(error) = std::fs::rename(tmp, target) {
            for (tmp, _, _) in &staged[i..] {
                let _ = std::fs::remove_file(tmp);
            }
            for (target, file) in done.iter().rev() {
                restore(target, file);
            }
            remove_dirs(&created_dirs);
            return Err(ScaffoldError::Write {
                path: target.clone(),
                error,
            });
        }
        done.push((target.clone(), file));
    }
    Ok(())
}

fn stage<'a>(
    root: &Path,
    files: &[&'a FileChange],
    created_dirs: &mut Vec<PathBuf>,
    staged: &mut Vec<(PathBuf, PathBuf, &'a FileChange)>,
) -> Result<(), ScaffoldError> {
    for file in files {
        let target = root.join(&file.path);
        if let Some(parent) = target.parent() {
            let mut missing = Vec::new();
            let mut d = parent;
            while !d.exists() {
                missing.push(d.to_path_buf());
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
            for dir in missing.into_iter().rev() {
                std::fs::create_dir(&dir).map_err(|error| ScaffoldError::Write {
                    path: dir.clone(),
                    error,
                })?;
                created_dirs.push(dir);
            }
        }
        let mut tmp = target.clone().into_os_string();
        tmp.push(STAGED);
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, &file.after).map_err(|error| ScaffoldError::Write {
            path: target.clone(),
            error,
        })?;
        if let Ok(meta) = std::fs::metadata(&target) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        staged.push((tmp, target, file));
    }
    Ok(())
}

fn restore(target: &Path, file: &FileChange) {
    match &file.before {
        Some(before) => {
            let _ = std::fs::write(target, before);
        }
        None => {
            let _ = std::fs::remove_file(target);
        }
    }
}

fn remove_dirs(dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}
