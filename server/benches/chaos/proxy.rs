//! A lossy loopback proxy: it stands between two parties (the payers' phones and the servers,
//! or the servers and the bank) and, per connection, lets the request through, drops it, cuts
//! it halfway, sends it twice, loses the answer or cuts the answer halfway, and holds each
//! connection a random while, so requests overtake each other. The clients open one
//! connection per request (and the proxy asks the server to close it after answering), so a
//! fault hits exactly one request. It never makes up an answer: whatever status reaches a
//! client came from the other side.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How often each fault happens, in percent of connections.
#[derive(Clone, Copy)]
pub struct Rates {
    pub drop_request: u64,
    pub cut_request: u64,
    pub duplicate: u64,
    pub drop_answer: u64,
    pub cut_answer: u64,
    /// Held 0.3–1.5 s instead of 0–60 ms.
    pub long_delay: u64,
}

/// What the proxy did, counted.
#[derive(Default)]
pub struct Counts {
    pub passed: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub cut_requests: AtomicU64,
    pub duplicated: AtomicU64,
    pub dropped_answers: AtomicU64,
    pub cut_answers: AtomicU64,
    pub long_delays: AtomicU64,
    /// The other side refused the connection (a killed server): the client's is closed.
    pub refused: AtomicU64,
}

impl Counts {
    pub fn faults(&self) -> u64 {
        [
            &self.dropped_requests,
            &self.cut_requests,
            &self.duplicated,
            &self.dropped_answers,
            &self.cut_answers,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

/// A small seeded generator (xorshift64*), so a run can be repeated with its seed.
pub struct Dice(Mutex<u64>);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(seed.max(1)))
    }

    /// A number in `0..n`.
    pub fn below(&self, n: u64) -> u64 {
        let mut x = self.0.lock().unwrap();
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

enum Fate {
    Pass,
    DropRequest,
    CutRequest,
    Duplicate,
    DropAnswer,
    CutAnswer,
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub counts: Arc<Counts>,
}

/// Starts a proxy on a free loopback port forwarding to `upstream`.
pub async fn start(upstream: SocketAddr, rates: Rates, dice: Arc<Dice>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let shared = counts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (counts, dice) = (shared.clone(), dice.clone());
            tokio::spawn(async move { handle(client, upstream, rates, &counts, &dice).await });
        }
    });
    Proxy { addr, counts }
}

fn fate(rates: Rates, dice: &Dice) -> Fate {
    let roll = dice.below(100);
    let mut bound = 0;
    for (rate, fate) in [
        (rates.drop_request, Fate::DropRequest),
        (rates.cut_request, Fate::CutRequest),
        (rates.duplicate, Fate::Duplicate),
        (rates.drop_answer, Fate::DropAnswer),
        (rates.cut_answer, Fate::CutAnswer),
    ] {
        bound += rate;
        if roll < bound {
            return fate;
        }
    }
    Fate::Pass
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    rates: Rates,
    counts: &Counts,
    dice: &Dice,
) {
    let Some(request) = read_request(&mut client).await else {
        return;
    };
    let held = if dice.below(100) < rates.long_delay {
        counts.long_delays.fetch_add(1, Ordering::Relaxed);
        300 + dice.below(1200)
    } else {
        dice.below(60)
    };
    tokio::time::sleep(Duration::from_millis(held)).await;
    let fate = fate(rates, dice);
    let count = match fate {
        Fate::Pass => &counts.passed,
        Fate::DropRequest => &counts.dropped_requests,
        Fate::CutRequest => &counts.cut_requests,
        Fate::Duplicate => &counts.duplicated,
        Fate::DropAnswer => &counts.dropped_answers,
        Fate::CutAnswer => &counts.cut_answers,
    };
    count.fetch_add(1, Ordering::Relaxed);
    match fate {
        Fate::DropRequest => return,
        Fate::CutRequest => {
            if let Ok(mut server) = TcpStream::connect(upstream).await {
                let _ = server.write_all(&request[..request.len() / 2]).await;
            }
            return;
        }
        Fate::Duplicate => {
            let copy = request.clone();
            tokio::spawn(async move {
                let _ = exchange(upstream, &copy).await;
            });
        }
        _ => {}
    }
    let Some(answer) = exchange(upstream, &request).await else {
        counts.refused.fetch_add(1, Ordering::Relaxed);
        return;
    };
    match fate {
        Fate::DropAnswer => {}
        Fate::CutAnswer => {
            let _ = client.write_all(&answer[..answer.len() / 2]).await;
        }
        _ => {
            let _ = client.write_all(&answer).await;
            let _ = client.shutdown().await;
        }
    }
}

/// Sends one request on a new connection and reads the answer to its end (the request asks
/// the server to close the connection after it).
async fn exchange(upstream: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    server.write_all(request).await.ok()?;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), server.read_to_end(&mut answer));
    match read.await {
        Ok(Ok(_)) if !answer.is_empty() => Some(answer),
        _ => None,
    }
}

/// Reads one HTTP/1.1 request (headers and a Content-Length body) and marks it
/// `connection: close`.
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = find(&bytes, b"\r\n\r\n") {
            break at + 4;
        }
        let n = tokio::time::timeout(Duration::from_secs(30), client.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = client.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    let line_end = find(&bytes, b"\r\n")? + 2;
    let mut request = bytes[..line_end].to_vec();
    request.extend_from_slice(b"connection: close\r\n");
    let rest = &bytes[line_end..];
    // Any connection header of the client's own would contradict ours: drop it.
    for line in rest[..head_end - line_end].split_inclusive(|b| *b == b'\n') {
        if !line.to_ascii_lowercase().starts_with(b"connection:") {
            request.extend_from_slice(line);
        }
    }
    request.extend_from_slice(&rest[head_end - line_end..]);
    Some(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
