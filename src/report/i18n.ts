/** Words of the reports in English and in Korean, as the plan (spec/SPIKE-2.ko.md) writes them. */
import type { Outcome, Tick } from '../metrics/verdict.js';

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
  },
  headings: { outcome: 'Outcome', nextStep: 'Next step (the plan)', reasons: 'Why', criterion: 'Criterion' },
  /** F2 and F4's cell of the record table: they are meant to stop until reconnect(). */
  asPlanned: (back: number, n: number, byItself: number) =>
    `as planned: ${n - byItself}/${n} stopped for the user, ${back}/${n} back after reconnect()${byItself ? `, ${byItself} by itself` : ''}`,
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
  core: 'core',
  charts: {
    cpu: 'CPU (코어 1개 대비 %)',
    rss: 'RSS (MB)',
    swimlane: '세션 상태',
    ttu: '끊김 후 사용 가능까지 (s)',
    limit: (value: string) => `계획의 한도: ${value}`,
  },
  headings: { outcome: '판정', nextStep: '다음 단계 (계획)', reasons: '근거', criterion: '기준' },
  asPlanned: (back: number, n: number, byItself: number) =>
    `계획대로: ${n - byItself}/${n} 사용자 조치 대기, reconnect() 후 ${back}/${n} 복귀${byItself ? `, ${byItself}개 자동 복귀` : ''}`,
};

export function words(lang: Lang): Words {
  return lang === 'ko' ? KO : EN;
}
