//! `yanglao-server policy import FILE --effective-from DAY` publishes a policy table as the
//! next version through the same checks and audit as the admin screen (`crate::policy::publish`),
//! by the machine's clock; `policy list` prints the versions. A refusal is the Chinese sentence
//! the admin screen would show.

use time::OffsetDateTime;
use yanglao_shared::PolicyTable;

use crate::cli::args::PolicyCommand;
use crate::cli::connect;
use crate::policy::publish::{self, Publication};
use crate::policy::PolicyBook;

pub async fn run(action: PolicyCommand) -> Result<(), String> {
    match action {
        PolicyCommand::Import {
            db,
            file,
            effective_from,
            region,
        } => {
            let document =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let db = connect(&db.database_url).await?;
            let actor = format!("cli:{}", std::env::var("USER").unwrap_or_default());
            let publication = Publication {
                document: &document,
                effective_from: &effective_from,
            };
            let version = publish::publish(
                &db,
                &region,
                OffsetDateTime::now_utc(),
                &actor,
                &publication,
            )
            .await
            .map_err(|e| crate::service::with_causes(&e))?;
            println!(
                "已发布第{}版政策：{}起生效，覆盖 {} 年（{actor}）",
                version.number, version.effective_from, version.years
            );
            Ok(())
        }
        PolicyCommand::List { db } => {
            let db = connect(&db.database_url).await?;
            let book = PolicyBook::new(PolicyTable::builtin());
            book.refresh(&db).await.map_err(|e| e.to_string())?;
            for v in book.versions() {
                let by = v.meta.published_by.as_deref().unwrap_or("内置");
                println!(
                    "第{}版  {}起  {}年  {by}",
                    v.meta.number, v.meta.effective_from, v.meta.years
                );
            }
            Ok(())
        }
    }
}
