//! Pieces shared by several screens.

mod banners;
mod chrome;
mod field;
mod person;
mod status;

pub use banners::{DeadlineBanner, SyncLine, WindowBanner};
pub use chrome::{is_staff, Notice, TabBar, TopBar, UpdatePrompt};
pub use field::TextField;
pub use person::{label_of, LabelEditor, LabelTag, PersonFields, PersonInput};
pub use status::{IntentChip, PayeeChip, SandboxNote};
