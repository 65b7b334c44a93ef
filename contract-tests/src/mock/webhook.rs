//! Webhooks: when a payment or an operation completes, the mock POSTs its
//! result to the session's own `webhook_url` (when its checkout gave one
//! on this machine: the mock never calls out) or else to the configured
//! URL, signed as Ottu signs it (the standard scheme
//! `ottu_client::verify_webhook_signature` checks first), with retries,
//! and keeps a bounded log of every delivery.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The top-level fields Ottu's standard scheme signs.
const SIGNED: [&str; 18] = [
    "amount",
    "currency_code",
    "customer_address_city",
    "customer_address_country",
    "customer_address_line1",
    "customer_address_line2",
    "customer_address_postal_code",
    "customer_address_state",
    "customer_email",
    "customer_first_name",
    "customer_last_name",
    "customer_phone",
    "gateway_account",
    "gateway_name",
    "order_no",
    "reference_number",
    "result",
    "state",
];

/// Attempts per notification; the waits between them double from 200 ms.
pub const ATTEMPTS: u32 = 3;
const LOG_CAP: usize = 1024;

/// Sets `signature` to the standard scheme's HMAC-SHA256 under `key`:
/// the signed fields present and neither null nor empty, sorted, each
/// `name` + `value` (as Python's `str()` writes it), concatenated.
pub fn sign(body: &mut Value, key: &str) {
    let Some(o) = body.as_object_mut() else {
        return;
    };
    let mut parts: Vec<(&str, String)> = SIGNED
        .iter()
        .filter_map(|name| {
            let text = match o.get(*name)? {
                Value::Null => return None,
                Value::String(s) if s.is_empty() => return None,
                Value::String(s) => s.clone(),
                Value::Bool(true) => "True".into(),
                Value::Bool(false) => "False".into(),
                other => other.to_string(),
            };
            Some((*name, text))
        })
        .collect();
    parts.sort();
    let message: String = parts.iter().map(|(k, v)| format!("{k}{v}")).collect();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return;
    };
    mac.update(message.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    o.insert("signature".into(), Value::String(hex));
}

/// One notification's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub session_id: String,
    pub url: String,
    pub attempts: u32,
    /// The receiver's last status (`None`: no answer).
    pub status: Option<u16>,
    /// Delivered: a 2xx.
    pub delivered: bool,
    /// Why the last attempt failed (transport error or status).
    pub error: Option<String>,
}

/// Where notifications go and what became of them.
#[derive(Debug)]
pub struct Notifier {
    /// Where notifications go when the session names no loopback URL.
    url: Option<String>,
    client: reqwest::Client,
    log: Mutex<VecDeque<Delivery>>,
}

impl Notifier {
    pub fn new(url: Option<String>) -> Self {
        Self {
            url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// The deliveries finished so far, oldest first (at most 1,024).
    pub fn log(&self) -> Vec<Delivery> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// POSTs `body` in the background: up to [`ATTEMPTS`] tries until a
    /// 2xx, never blocking the request that completed the payment.
    pub fn send(self: &Arc<Self>, session_id: String, session_url: Option<String>, body: Bytes) {
        let Some(url) = session_url
            .filter(|u| is_loopback(u))
            .or_else(|| self.url.clone())
        else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let mut delivery = Delivery {
                session_id,
                url,
                attempts: 0,
                status: None,
                delivered: false,
                error: None,
            };
            let mut wait = Duration::from_millis(200);
            while delivery.attempts < ATTEMPTS && !delivery.delivered {
                if delivery.attempts > 0 {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                delivery.attempts += 1;
                let sent = this
                    .client
                    .post(&delivery.url)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match sent {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        delivery.status = Some(status);
                        delivery.delivered = r.status().is_success();
                        delivery.error =
                            (!delivery.delivered).then(|| format!("receiver answered {status}"));
                    }
                    Err(e) => {
                        delivery.status = None;
                        delivery.error = Some(if e.is_timeout() {
                            "receiver timed out".into()
                        } else {
                            "receiver unreachable".into()
                        });
                    }
                }
            }
            let mut log = this.log.lock().unwrap_or_else(|e| e.into_inner());
            log.push_back(delivery);
            while log.len() > LOG_CAP {
                log.pop_front();
            }
        });
    }
}

/// An `http` URL on this machine (`127.0.0.1`, `[::1]`, `localhost`).
fn is_loopback(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && u.host_str().is_some_and(|h| {
                h.eq_ignore_ascii_case("localhost")
                    || h.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_vector_of_ottu_facts() {
        let mut body = serde_json::json!({
            "amount": "86.000",
            "currency_code": "KWD",
            "customer_first_name": "example-customer",
            "customer_last_name": "",
            "order_no": null,
            "session_id": "not signed by the standard scheme"
        });
        sign(&mut body, "pu9MpX3yPR");
        assert_eq!(
            body["signature"],
            "6143b8ad4bd283540721ab000f6de746e722231aaaa90bc38f639081d3ff9f67"
        );
    }
}
