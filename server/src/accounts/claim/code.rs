//! A claim's one-time code and the states of a claim. A code is six random digits; only its
//! HMAC-SHA256 keyed by the claim's id is stored (so equal codes of two claims look
//! different), and it is checked in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The states of one start of a claim, as the `claims` table spells them.
///
/// ```text
/// no_match, no_mobile                         (final: no code was made)
/// sent ──right code──► confirmed              (final: the record is bound)
///      ──5th wrong code──► dead               (final)
///      ──a newer code for this account──► superseded
///      ──the SMS did not go out──► not_sent
/// ```
/// A `sent` claim past its expiry stays `sent` and is refused as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimState {
    /// Name and ID number matched no roster record: only counted, nothing of it kept.
    NoMatch,
    /// The record has no mobile number: the village assistant has to help.
    NoMobile,
    Sent,
    Confirmed,
    Dead,
    Superseded,
    NotSent,
}

impl ClaimState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoMatch => "no_match",
            Self::NoMobile => "no_mobile",
            Self::Sent => "sent",
            Self::Confirmed => "confirmed",
            Self::Dead => "dead",
            Self::Superseded => "superseded",
            Self::NotSent => "not_sent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::NoMatch,
            Self::NoMobile,
            Self::Sent,
            Self::Confirmed,
            Self::Dead,
            Self::Superseded,
            Self::NotSent,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Six random digits, each of the million codes equally likely.
pub fn new_code() -> String {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::getrandom(&mut bytes).expect("the OS has randomness");
        let n = u32::from_le_bytes(bytes);
        // Rejection keeps it uniform: 4,294,000,000 is the largest multiple of 10^6 below 2^32.
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Six ASCII digits, as a person types them (spaces around are forgiven by the caller).
pub fn is_well_formed(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fn mac(claim_id: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(claim_id.as_bytes()).expect("any key length")
}

pub fn hash(claim_id: &str, code: &str) -> String {
    let mut mac = mac(claim_id);
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `code` is the one whose hash is `stored`, in constant time.
pub fn matches(claim_id: &str, code: &str, stored: &str) -> bool {
    let Ok(stored) = hex::decode(stored) else {
        return false;
    };
    let mut mac = mac(claim_id);
    mac.update(code.as_bytes());
    mac.verify_slice(&stored).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_only_their_own_hash_matches() {
        for _ in 0..200 {
            let code = new_code();
            assert!(is_well_formed(&code), "{code}");
        }
        let stored = hash("claim-1", "012345");
        assert!(matches("claim-1", "012345", &stored));
        assert!(!matches("claim-1", "012346", &stored));
        assert!(!matches("claim-2", "012345", &stored), "keyed by the claim");
        assert!(!is_well_formed("12345") && !is_well_formed("12345a"));
    }

    #[test]
    fn states_read_back_as_spelled() {
        for s in [
            "no_match",
            "no_mobile",
            "sent",
            "confirmed",
            "dead",
            "superseded",
            "not_sent",
        ] {
            assert_eq!(ClaimState::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(ClaimState::parse("open"), None);
    }
}
