//! A small SMTP server on `127.0.0.1` for tests: it accepts every message, keeps its
//! envelope recipients and its data, and answers what `lettre` needs to send plain SMTP
//! (no TLS, no authentication). It runs on its own threads, so the same sink serves async
//! tests (`berth-app`, `berth-http`) and tests that run the `berth` binary (`berth-cli`).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message the sink received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Its envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// Its headers and body as sent, one `\n` per line (dot-stuffing kept).
    pub data: String,
}

impl Mail {
    /// Its `Subject:` header (empty when it has none).
    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_owned()
    }
}

/// The sink: the port it listens on and what it received.
#[derive(Clone)]
pub struct MailSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

/// How often, and how many times, [`MailSink::wait_for`] looks: 10 s in all.
const POLL: Duration = Duration::from_millis(50);
const POLLS: usize = 200;

impl MailSink {
    /// Starts listening on a free port; one thread per connection.
    pub fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the mail sink");
        let port = listener.local_addr().expect("its address").port();
        let mails = Arc::new(Mutex::new(vec![]));
        let kept = mails.clone();
        std::thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || converse(socket, &kept));
            }
        });
        MailSink { port, mails }
    }

    /// The messages received so far, emptying the box.
    pub fn take(&self) -> Vec<Mail> {
        std::mem::take(&mut *self.mails.lock().expect("mail box"))
    }

    /// How many messages are in the box.
    pub fn count(&self) -> usize {
        self.mails.lock().expect("mail box").len()
    }

    /// Waits (up to 10 s, without blocking the async runtime) until `n` messages arrived,
    /// then takes them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..POLLS {
            if self.count() >= n {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        self.take()
    }

    /// [`MailSink::wait_for`] for tests without an async runtime.
    pub fn wait_for_blocking(&self, n: usize) -> Vec<Mail> {
        for _ in 0..POLLS {
            if self.count() >= n {
                break;
            }
            std::thread::sleep(POLL);
        }
        self.take()
    }
}

/// One SMTP conversation: greeting, then a reply per command; `DATA` is read up to the
/// lone `.` and kept with the recipients given since the last message.
fn converse(socket: TcpStream, mails: &Mutex<Vec<Mail>>) {
    let Ok(mut write) = socket.try_clone() else {
        return;
    };
    let mut lines = BufReader::new(socket).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n");
    let mut to = vec![];
    while let Some(Ok(line)) = lines.next() {
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
            "RCPT" => {
                let address = line.split(['<', '>']).nth(1).unwrap_or_default();
                to.push(address.to_owned());
                b"250 ok\r\n"
            }
            "DATA" => {
                let _ = write.write_all(b"354 go on\r\n");
                let mut data = String::new();
                for l in lines.by_ref().map_while(Result::ok) {
                    if l == "." {
                        break;
                    }
                    data.push_str(&l);
                    data.push('\n');
                }
                let mail = Mail {
                    to: std::mem::take(&mut to),
                    data,
                };
                mails.lock().expect("mail box").push(mail);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n");
                return;
            }
            _ => b"250 ok\r\n",
        };
        if write.write_all(reply).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sink keeps what a client sends, recipients and data, message by message.
    #[test]
    fn keeps_each_message_with_its_recipients() {
        let sink = MailSink::start();
        let mut client = TcpStream::connect(("127.0.0.1", sink.port)).unwrap();
        let mut replies = BufReader::new(client.try_clone().unwrap()).lines();
        let mut say = |line: &str| {
            client.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        };
        assert_eq!(replies.next().unwrap().unwrap(), "220 sink ESMTP");
        for line in [
            "EHLO test",
            "MAIL FROM:<panel@example.com>",
            "RCPT TO:<a@example.com>",
            "RCPT TO:<b@example.com>",
            "DATA",
            "Subject: Hello",
            "",
            "body",
            ".",
            "QUIT",
        ] {
            say(line);
        }
        let mails = sink.wait_for_blocking(1);
        assert_eq!(
            mails,
            [Mail {
                to: vec!["a@example.com".into(), "b@example.com".into()],
                data: "Subject: Hello\n\nbody\n".into(),
            }]
        );
        assert_eq!(mails[0].subject(), "Hello");
        assert!(sink.take().is_empty(), "taking empties the box");
    }
}
