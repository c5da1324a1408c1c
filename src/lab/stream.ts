/** Rates of the sequence stream: the plan's three loads, and a flood as fast as the channel allows. */
export type StreamRate = 'low' | 'mid' | 'high' | 'flood';

/**
 * The sequence stream as a one-line awk program, for hosts the lab did not set up (inventory
 * hosts): the same lines as the embedded lab's `spike-stream` (crates/ssh-lab/src/seqstream.rs).
 */
export function portableStreamCommand(rate: StreamRate, count = 0): string {
  const [per, pause] = { low: [1, '1'], mid: [1, '0.01'], high: [100, '0.01'], flood: [320, '0'] }[rate];
  const prog =
    'BEGIN{for(k=0;k<26;k++){p="";for(j=0;j<86;j++)p=p sprintf("%c",97+(k+j)%26);pl[k]=p}' +
    'n=1;while(c==0||n<=c){for(i=0;i<per&&(c==0||n<=c);i++){printf "SEQ %08d %s\\n",n%100000000,pl[n%26];n++}' +
    'fflush();if((c==0||n<=c)&&ps>0)system("sleep " ps)}}';
  return `awk -v per=${per} -v ps=${pause} -v c=${count} '${prog}'`;
}
