/** Words of the reports in English and in Korean, as the plan (spec/SPIKE-2.ko.md) writes them. */
import type { FailureCause } from '../core/errors.js';
import type { FaultName } from '../lab/faults/index.js';
import { INTERRUPT_LABELS } from '../metrics/compute.js';
import {
  CRITERION_DETAIL,
  type CriterionResult,
  type DetailWords,
  fmt,
  type Judged,
  type Outcome,
  REASON_WORDS,
  type ReasonWords,
  reasonsOf,
  type Tick,
} from '../metrics/verdict.js';
import type { ScenarioId } from '../scenarios/index.js';

export type Lang = 'en' | 'ko';

const EN = {
  title: 'SPIKE-2: SSH connection pooling stress test',
  recordTable: 'Data record table',
  columns: [
    'Run ID',
    'Topology (A/B)',
    'Sessions',
    'Duration',
    'Interrupt Type',
    'Reconnect Success (x/y)',
    'Reconnect Time p50/p95 (s)',
    'Abnormal Ends',
    'CPU (approx)',
    'Mem (approx)',
    'Notes',
  ],
  successCriteria: 'Success criteria',
  criteria: {
    'sessions-held': (n: number, d: string) => `${n} sessions held for ${d} (0% abnormal termination)`,
    'reconnect-rate': (pct: number) => `Reconnect success rate >= ${pct}% (measured on network-interruption cases)`,
    memory: (mb: number, n: number) => `Memory < ${mb} MB (${n} sessions, observed)`,
    cpu: (pct: number) => `CPU overhead < ${pct}% (keepalive + polling-like load, observed)`,
  },
  decision: 'Decision',
  outcome: { success: 'Success', partial: 'Partial success', failure: 'Failure' } as Record<Outcome, string>,
  nextStep: {
    success: 'speed up the MVP SSH Connection Manager / Auto-Reconnect',
    partial: 'improve keepalive / reconnect policy / channel usage, then re-run',
    failure: 'revisit the SSH structure / library / connection model',
  } as Record<Outcome, string>,
  checklist: 'Execution checklist',
  checks: {
    repeated: 'Repeat the 30-minute run at least twice (reproducibility)',
    massDrop: 'Inject a "many sessions drop at once" at least once',
    recorded: 'Record reconnect results as "success rate" and "recovery time distribution (p50/p95)"',
    classified: 'Classify each failure case by cause (network / auth / server / client)',
  },
  tick: { pass: 'pass', fail: 'FAIL', 'not-measured': 'not measured' } as Record<Tick, string>,
  causes: 'Failure causes',
  options: 'Values this run used',
  metrics: 'Metrics',
  partial: 'PARTIAL: the run was stopped before its end; figures cover what ran.',
  core: 'core',
  charts: {
    cpu: 'CPU (% of one core) over time',
    rss: 'RSS (MB) over time',
    swimlane: 'Session states',
    ttu: 'Time to usable after a loss (s)',
    limit: (value: string) => `the plan's limit: ${value}`,
    faultWindow: 'fault window',
  },
  headings: { outcome: 'Outcome', nextStep: 'Next step (the plan)', reasons: 'Why', criterion: 'Criterion' },
  /** F2 and F4's cell of the record table: they are meant to stop until reconnect(). */
  asPlanned: (back: number, n: number, byItself: number) =>
    `as planned: ${n - byItself}/${n} stopped for the user, ${back}/${n} back after reconnect()${byItself ? `, ${byItself} by itself` : ''}`,
  header: (createdAt: string, runs: number, cores: string) => `${createdAt} · ${runs} run(s) · cores: ${cores}`,
  detail: CRITERION_DETAIL as DetailWords,
  reasons: REASON_WORDS as ReasonWords,
  /** The plan's scenarios by name (the record table and the charts). */
  scenario: INTERRUPT_LABELS as Record<ScenarioId, string>,
  fault: {} as Partial<Record<FaultName, string>>,
  notes: {
    neededReconnect: (n: number) => `${n} needed reconnect()`,
    slower: (n: number) => `${n} slower than the bound`,
    detection: (s: string) => `detection p50 ${s} s`,
    core: (core: string) => `${core} core`,
    uptime: (pct: string) => `uptime ${pct}%`,
    load: (load: string) => `load ${load}`,
    integrity: (n: number) => `${n} PTY integrity errors`,
    compressed: (k: number) => `timings compressed x${k}`,
    partial: 'partial',
  },
  memCell: (mean: string, peak: string) => `${mean} MB (peak ${peak})`,
  metricColumns: ['Run', 'Uptime', 'Exec p50/p95/p99 (ms)', 'Echo p50/p95/p99 (ms)', 'Event loop p99 (ms) / util', 'RSS growth (MB/h)', 'PTY integrity errors'],
  cause: { network: 'network', auth: 'auth', server: 'server', client: 'client' } as Record<FailureCause, string>,
  ran: (what: string) => `Every session ran: ${what}.`,
  steady: (fromS: string) =>
    `CPU, RSS mean and event-loop figures are over the steady state (after a quarter of the run, at most 60 s, and once every session was up: from ${fromS} s), the same definition bench:compare uses.`,
};

export type Words = typeof EN;

const KO: Words = {
  ...EN,
  title: 'SPIKE-2 실행 계획: SSH 연결 풀링 Stress Test',
  recordTable: '데이터 기록 테이블',
  columns: [
    'Run ID',
    'Topology(A/B)',
    'Sessions',
    'Duration',
    'Interrupt Type',
    'Reconnect Success (x/y)',
    'Reconnect Time p50/p95 (s)',
    'Abnormal Ends',
    'CPU(대략)',
    'Mem(대략)',
    'Notes',
  ],
  successCriteria: '성공 기준 (Success Criteria)',
  criteria: {
    'sessions-held': (n: number, d: string) => `${n}개 세션 ${d} 유지 (0% 비정상 종료)`,
    'reconnect-rate': (pct: number) => `재접속 성공률 ≥${pct}% (측정 대상: 네트워크 인터럽트 케이스)`,
    memory: (mb: number, n: number) => `메모리 <${mb}MB (${n}세션, 관찰치)`,
    cpu: (pct: number) => `CPU 오버헤드 <${pct}% (keepalive + 폴링 유사 부하, 관찰치)`,
  },
  decision: '판정 기준 (Decision)',
  outcome: { success: '성공', partial: '부분 성공', failure: '실패' },
  nextStep: {
    success: 'MVP SSH Connection Manager/Auto-Reconnect 구현 가속',
    partial: 'keepalive/재접속 정책/채널 사용 방식 개선 후 재실험',
    failure: 'SSH 구조/라이브러리/커넥션 모델 재검토',
  },
  checklist: '체크리스트 (Execution Checklist)',
  checks: {
    repeated: '30분 런을 최소 2회 반복(재현성)',
    massDrop: '최소 1회는 “동시 다중 세션 끊김”을 주입',
    recorded: '재접속 결과를 “성공률”과 “복구 시간 분포(p50/p95)”로 기록',
    classified: '실패 케이스는 원인 분류(네트워크/인증/서버/클라이언트)까지 남김',
  },
  tick: { pass: '통과', fail: '실패', 'not-measured': '측정 안 됨' },
  causes: '실패 원인 분류',
  options: '이 실행에 쓰인 값',
  metrics: '측정 항목 (Metrics)',
  partial: '부분 결과: 실행이 끝나기 전에 중단되었습니다. 수치는 실행된 부분만 다룹니다.',
  core: '코어',
  charts: {
    cpu: 'CPU (코어 1개 대비 %)',
    rss: 'RSS (MB)',
    swimlane: '세션 상태',
    ttu: '끊김 후 사용 가능까지 (s)',
    limit: (value: string) => `계획의 한도: ${value}`,
    faultWindow: '장애 주입 구간',
  },
  headings: { outcome: '판정', nextStep: '다음 단계 (계획)', reasons: '근거', criterion: '기준' },
  asPlanned: (back: number, n: number, byItself: number) =>
    `계획대로: ${n - byItself}/${n} 사용자 조치 대기, reconnect() 후 ${back}/${n} 복귀${byItself ? `, ${byItself}개 자동 복귀` : ''}`,
  header: (createdAt: string, runs: number, cores: string) => `${createdAt} · 실행 ${runs}회 · 코어: ${cores}`,
  detail: {
    'sessions-held': (m) =>
      `${m.sessions}개 세션 ${fmt(m.minutes)}분: 비정상 종료 ${m.abnormal}회, 가동률 ${fmt(m.uptimePct)}%${m.stoppedEarly ? ' (실행이 일찍 중단됨)' : ''}`,
    'reconnect-rate': (m) =>
      m.interrupted === 0
        ? '이 실행에는 네트워크 인터럽트가 없음'
        : `${m.recoveredWithin}/${m.interrupted} = ${fmt(m.reconnectPct)}%가 ${m.reconnectWithinS}초 안에 사용 가능 (기준 ≥${m.reconnectNeedPct}%)`,
    memory: (m) => `RSS 최대 ${fmt(m.rssPeakMb)} MB (기준 <${m.rssLimitMb} MB)`,
    cpu: (m) => `CPU 코어 1개 대비 ${fmt(m.cpuPct, 2)}% (기준 <${m.cpuLimitPct}%)`,
  },
  reasons: {
    crashes: (n, examples) => `크래시/세션 붕괴: 비정상 종료 ${n}회 (${examples})`,
    manyFailed: (pct, s) => `재접속 실패 다수: 인터럽트의 ${pct}%만 ${s}초 안에 복구`,
    allPass: '측정한 성공 기준을 모두 통과',
    notMeasured: (d) => `측정 안 됨: ${d}`,
    stableBut: '안정성은 OK(비정상 종료 없음), 다만:',
  },
  // The plan's own names (spec/SPIKE-2.ko.md, 장애 주입 시나리오).
  scenario: {
    F0: 'None',
    F1: '짧은 네트워크 단절',
    F2: '장기 네트워크 단절',
    F3: '서버 재시작/sshd 재시작',
    F4: '인증 실패(의도)',
    F5: '다중 세션 동시 끊김',
  },
  fault: {
    stall: '멈춤',
    cut: '단절',
    reset: '연결 리셋',
    refuse: '접속 거부',
    latency: '지연',
    bandwidth: '대역폭 제한',
    restart: '서버 재시작',
    'auth-revoke': '인증 철회',
  },
  notes: {
    neededReconnect: (n) => `${n}개 reconnect() 필요`,
    slower: (n) => `${n}개 기준 시간 초과`,
    detection: (s) => `감지 p50 ${s}초`,
    core: (core) => `${core} 코어`,
    uptime: (pct) => `가동률 ${pct}%`,
    load: (load) => `부하 ${load}`,
    integrity: (n) => `PTY 무결성 오류 ${n}건`,
    compressed: (k) => `시간 ${k}배 압축`,
    partial: '부분 결과',
  },
  memCell: (mean, peak) => `${mean} MB (최대 ${peak})`,
  metricColumns: [
    'Run',
    '가동률',
    'Exec p50/p95/p99 (ms)',
    '키 입력 에코 p50/p95/p99 (ms)',
    '이벤트 루프 p99 (ms) / 사용률',
    'RSS 증가 (MB/h)',
    'PTY 무결성 오류',
  ],
  cause: { network: '네트워크', auth: '인증', server: '서버', client: '클라이언트' },
  ran: (what) => `모든 세션이 실행한 작업: ${what}.`,
  steady: (fromS) =>
    `CPU, RSS 평균, 이벤트 루프 수치는 정상 상태 구간의 값입니다(실행의 1/4 이후, 최대 60초, 모든 세션이 올라온 뒤: ${fromS}초부터). bench:compare와 같은 정의입니다.`,
};

export function words(lang: Lang): Words {
  return lang === 'ko' ? KO : EN;
}

/** A criterion's detail in the report's language. */
export function criterionDetail(w: Words, v: Judged, cr: CriterionResult): string {
  return w.detail[cr.id](v.measured);
}

/** A verdict's reasons in the report's language. */
export function verdictReasons(w: Words, v: Judged): string[] {
  return reasonsOf(v, w.reasons, (id) => w.detail[id](v.measured));
}

/** A fault's name in the report's language. */
export function faultName(w: Words, fault: string): string {
  return w.fault[fault as FaultName] ?? fault;
}
