//! The reconnect and health policies, and the seeded jitter behind the backoff. The TypeScript
//! core has the same functions (src/core/policy.ts); a test runs both over one table of cases
//! (test/fixtures/health-steps.json) and compares the backoff schedules.

use std::time::Duration;

/// How a session notices a dead or slow link.
#[derive(Clone, Copy, Debug)]
pub struct HealthPolicy {
    /// A keepalive request goes out when nothing has arrived for this long.
    pub keepalive_interval: Duration,
    /// The link is dead after this many intervals without a reply, plus one.
    pub keepalive_count_max: u32,
    /// The session is `degraded` after this long without any inbound byte.
    pub degraded_after: Duration,
    /// When a sibling session to the same target loses its link, this session is probed and
    /// declared dead if nothing arrives within this time.
    pub probe_timeout: Duration,
}

impl HealthPolicy {
    /// Silence after which the link is dead: (count_max + 1) intervals.
    pub fn dead_after(&self) -> Duration {
        self.keepalive_interval * (self.keepalive_count_max + 1)
    }

    /// How often the health of a link is evaluated.
    pub fn tick(&self) -> Duration {
        (self.keepalive_interval / 4).min(Duration::from_millis(500)).max(Duration::from_millis(10))
    }

    /// When the watch must look at the link next, given what it knows (`now` and `last`, the last
    /// inbound byte, measured from the same origin as the state's times): the next keepalive,
    /// `degraded`, the dead line or a probe's deadline, whichever comes first; every tick while
    /// degraded, so recovery shows at once.
    pub fn next_look(&self, s: &HealthState, now: Duration, last: Duration) -> Duration {
        let mut wake = (last + self.dead_after()).min(last.max(s.last_ping) + self.keepalive_interval);
        wake = if s.degraded { wake.min(now + self.tick()) } else { wake.min(last + self.degraded_after) };
        if let Some(sent) = s.probe {
            wake = wake.min(sent + self.probe_timeout);
        }
        wake
    }

    /// One look at the link: what to do now and what to remember. `probed`: a sibling session
    /// to the same target lost its link, so this one is asked for a sign of life at once.
    pub fn look(&self, mut s: HealthState, now: Duration, last: Duration, probed: bool) -> HealthStep {
        if s.probe.is_some_and(|sent| last > sent) {
            s.probe = None;
        }
        if probed && s.probe.is_none() {
            s.last_ping = now;
            s.probe = Some(now);
            return HealthStep { state: s, action: HealthAction::Ping };
        }
        let idle = now.saturating_sub(last);
        if s.probe.is_some_and(|sent| now.saturating_sub(sent) >= self.probe_timeout) || idle >= self.dead_after() {
            return HealthStep { state: s, action: HealthAction::Dead };
        }
        let mut action = HealthAction::None;
        if idle >= self.keepalive_interval && now.saturating_sub(s.last_ping) >= self.keepalive_interval {
            s.last_ping = now;
            action = HealthAction::Ping;
        }
        s.degraded = idle >= self.degraded_after;
        HealthStep { state: s, action }
    }
}

/// What the health watch remembers between two looks; times from the watch's own origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthState {
    /// When the last keepalive went out.
    pub last_ping: Duration,
    /// A probe's keepalive that nothing has answered yet, and when it went out.
    pub probe: Option<Duration>,
    pub degraded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthAction {
    None,
    /// Send a keepalive.
    Ping,
    /// The link is dead: nothing arrived in time.
    Dead,
}

/// The outcome of one look: the action, and the state to keep (its `degraded` is the session's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthStep {
    pub state: HealthState,
    pub action: HealthAction,
}

/// How a session comes back after its link is lost.
#[derive(Clone, Copy, Debug)]
pub struct ReconnectPolicy {
    pub enabled: bool,
    /// Full-jitter backoff: before attempt n (from 0) wait random(0, min(max_delay, base_delay * 2^n)).
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The budget: after this many attempts, or this much time since the loss, the session goes
    /// to `manual_reconnect_required`.
    pub max_attempts: u32,
    pub budget: Duration,
    /// Timeout of one reconnect attempt (TCP connect + handshake + authentication).
    pub attempt_timeout: Duration,
    /// A new connection must stay up this long before the budget starts afresh; one lost sooner
    /// (a server that drops every connection after authentication) goes on spending the budget
    /// of the loss before it, so a flapping server ends in `manual_reconnect_required`.
    pub gate_time: Duration,
}

/// The backoff ceiling before attempt `attempt` (from 0).
pub fn backoff_ceiling(policy: &ReconnectPolicy, attempt: u32) -> Duration {
    let factor = 2u64.saturating_pow(attempt.min(30));
    let ceiling = (policy.base_delay.as_millis() as u64).saturating_mul(factor);
    Duration::from_millis(ceiling.min(policy.max_delay.as_millis() as u64))
}

/// The delay before attempt `attempt`, given a uniform draw `unit` in [0, 1).
pub fn backoff_delay(policy: &ReconnectPolicy, attempt: u32, unit: f64) -> Duration {
    let ceiling = backoff_ceiling(policy, attempt).as_millis() as f64;
    Duration::from_millis((ceiling * unit.clamp(0.0, 1.0)).floor() as u64)
}

/// SplitMix64: a small seeded generator, so a run's jitter can be replayed.
pub struct Jitter {
    state: u64,
}

impl Jitter {
    pub fn new(seed: u64) -> Jitter {
        Jitter { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReconnectPolicy {
        ReconnectPolicy {
            enabled: true,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_millis(4000),
            max_attempts: 10,
            budget: Duration::from_secs(20),
            attempt_timeout: Duration::from_secs(5),
            gate_time: Duration::from_secs(10),
        }
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let p = policy();
        let ceilings: Vec<u64> = (0..6).map(|n| backoff_ceiling(&p, n).as_millis() as u64).collect();
        assert_eq!(ceilings, vec![500, 1000, 2000, 4000, 4000, 4000]);
    }

    #[test]
    fn full_jitter_stays_inside_the_ceiling() {
        let p = policy();
        let mut j = Jitter::new(7);
        for n in 0..20 {
            let d = backoff_delay(&p, n, j.next_unit());
            assert!(d <= backoff_ceiling(&p, n));
        }
    }

    #[test]
    fn splitmix_matches_its_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (the published reference sequence).
        let mut j = Jitter::new(0);
        assert_eq!(j.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(j.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn dead_after_and_tick_follow_the_keepalive() {
        let h = HealthPolicy {
            keepalive_interval: Duration::from_secs(2),
            keepalive_count_max: 3,
            degraded_after: Duration::from_secs(3),
            probe_timeout: Duration::from_secs(2),
        };
        assert_eq!(h.dead_after(), Duration::from_secs(8));
        assert_eq!(h.tick(), Duration::from_millis(500));
    }
}
