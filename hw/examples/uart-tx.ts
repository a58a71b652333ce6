import { Bool, bitsFor, defineEnum, defineModule, Flip, HwError, Output, reg, stateMachine, UInt, when } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';

export const UartState = defineEnum('UartState', ['Idle', 'Start', 'Data', 'Stop']);

export interface UartTxParams {
  /** Clock cycles per bit on the line. */
  cyclesPerBit: number;
}

/**
 * An 8N1 serial transmitter: takes bytes on a ready/valid stream and shifts
 * them out LSB first between a start bit (0) and a stop bit (1).
 */
export const UartTx = defineModule({
  name: 'UartTx',
  io: (_p: UartTxParams) => ({
    data: Flip(Decoupled(UInt(8))),
    tx: Output(Bool()),
    busy: Output(Bool()),
  }),
  body: (io, p) => {
    if (!Number.isInteger(p.cyclesPerBit) || p.cyclesPerBit < 1) throw new HwError(`cyclesPerBit must be a positive integer, got ${p.cyclesPerBit}`);
    const fsm = stateMachine(UartState, { init: 'Idle' });
    const timer = reg(UInt(bitsFor(p.cyclesPerBit)), { name: 'bit_timer', init: 0 });
    const bitIndex = reg(UInt(3), { name: 'bit_index', init: 0 });
    const shift = reg(UInt(8), { name: 'shift', init: 0 });
    const line = reg(Bool(), { name: 'line', init: 1 });
    const bitDone = timer.eq(p.cyclesPerBit - 1).named('bit_done');

    io.data.ready.set(fsm.is('Idle'));
    io.tx.set(line);
    io.busy.set(fsm.is('Idle').not());
    when(bitDone.not(), () => timer.set(timer.add(1)));

    fsm.switch({
      Idle: () => {
        timer.set(0);
        when(io.data.valid, () => {
          shift.set(io.data.bits);
          line.set(0);
          fsm.goto('Start');
        });
      },
      Start: () => {
        when(bitDone, () => {
          timer.set(0);
          line.set(shift.bit(0));
          fsm.goto('Data');
        });
      },
      Data: () => {
        when(bitDone, () => {
          timer.set(0);
          shift.set(shift.shr(1));
          bitIndex.set(bitIndex.add(1));
          when(bitIndex.eq(7), () => {
            line.set(1);
            fsm.goto('Stop');
          }).otherwise(() => line.set(shift.bit(1)));
        });
      },
      Stop: () => {
        when(bitDone, () => fsm.goto('Idle'));
      },
    });
  },
});
