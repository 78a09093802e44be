//! argon2id hashing. Slow on purpose: call it from blocking code only.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::error::AppError;

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so a missing account cannot be told apart by timing.
pub fn verify_dummy(password: &str) {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2wJ0pWpJcUq3aY0mH1gSxzJ8kDkbgCJk2n3V1ZbS7r8";
    let _ = verify(password, DUMMY);
}

/// The 10,000 most common passwords, one a line, lower-case, most common first: the head of the
/// `passwords` frequency list of zxcvbn (PyPI package `zxcvbn` 4.5.0, `frequency_lists.py`, MIT
/// licence, © 2012-2016 Dan Wheeler and Dropbox, Inc.; the list itself comes from Mark Burnett's
/// 10 million password set), gzipped.
const COMMON: &[u8] = include_bytes!("common_passwords.txt.gz");

fn common_set() -> &'static std::collections::HashSet<String> {
    static SET: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        use std::io::Read;
        let mut text = String::new();
        if let Err(e) = flate2::read::GzDecoder::new(COMMON).read_to_string(&mut text) {
            // Cannot happen with the bundled file; the length and letter-and-digit rules still hold.
            tracing::error!("the common password list did not load: {e}");
        }
        text.lines().map(str::to_string).collect()
    })
}

/// Whether `password` is one of the 10,000 most common (compared lower-case), the first guesses
/// of anyone trying accounts one by one.
pub fn is_common(password: &str) -> bool {
    common_set().contains(&password.to_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_common_list_is_bundled() {
        assert!(super::is_common("password1"));
        assert!(super::is_common("Qwerty123"));
        assert!(!super::is_common("campus2026"));
        assert!(super::common_set().len() >= 9_900);
    }
}
