//! Numbers, years, dates and names as they are said in Mandarin, for the spoken text of
//! [`super`]: a speech engine reads "500 元/年" or "张*伟" badly, so the text says them in words.

use time::Date;
use yanglao_shared::money::Money;

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 0..=9999 in words, without the leading-zero rules of a larger number.
fn section(n: u64) -> String {
    let mut out = String::new();
    let mut zero = false;
    for (unit, word) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
        let digit = (n / unit % 10) as usize;
        if digit == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[digit]);
        out.push_str(word);
    }
    out
}

/// A whole number as it is said: 10 → 十, 15 → 十五, 105 → 一百零五, 20000 → 二万.
pub fn number(n: u64) -> String {
    if n == 0 {
        return "零".to_owned();
    }
    let mut sections = Vec::new();
    let mut rest = n;
    while rest > 0 {
        sections.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut zero = false;
    for (i, sec) in sections.iter().enumerate().rev() {
        if *sec == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero || (!out.is_empty() && *sec < 1000) {
            out.push('零');
        }
        zero = false;
        out.push_str(&section(*sec));
        out.push_str(["", "万", "亿", "万亿"][i.min(3)]);
    }
    match out.strip_prefix("一十") {
        Some(rest) => format!("十{rest}"),
        None => out,
    }
}

/// How many, as it is said before a measure word: 2 → 两 (两人, 两笔), else [`number`].
pub fn count(n: usize) -> String {
    if n == 2 {
        "两".to_owned()
    } else {
        number(n as u64)
    }
}

/// An amount as it is said: 500 → 五百元, 182.35 → 一百八十二元三角五分, 0.5 → 五角.
pub fn yuan(amount: Money) -> String {
    let fen = amount.to_fen().unsigned_abs();
    let (whole, jiao, fen) = (fen / 100, fen / 10 % 10, fen % 10);
    let mut out = String::new();
    if whole > 0 || (jiao == 0 && fen == 0) {
        out.push_str(&number(whole));
        out.push('元');
    }
    if jiao > 0 {
        out.push(DIGITS[jiao as usize]);
        out.push('角');
    } else if fen > 0 && whole > 0 {
        out.push('零');
    }
    if fen > 0 {
        out.push(DIGITS[fen as usize]);
        out.push('分');
    }
    out
}

/// Digit by digit, as years and card numbers are read: 2027 → 二零二七.
pub fn digits(text: &str) -> String {
    text.chars()
        .map(|c| c.to_digit(10).map_or(c, |d| DIGITS[d as usize]))
        .collect()
}

pub fn year(y: i32) -> String {
    format!("{}年度", digits(&y.to_string()))
}

pub fn date(d: Date) -> String {
    format!(
        "{}年{}月{}日",
        digits(&d.year().to_string()),
        number(d.month() as u64),
        number(d.day() as u64)
    )
}
