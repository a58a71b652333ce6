import { Bool, defineEnum, defineModule, Input, Output, stateMachine, when } from '../../hw/index.ts';

const Phase = defineEnum('Phase', ['Idle', 'Load', 'Run', 'Drain']);

export const Sequencer = defineModule({
  name: 'Sequencer',
  io: () => ({ start: Input(Bool()), last: Input(Bool()), busy: Output(Bool()) }),
  body: (io) => {
    const { start, last } = io;
    const fsm = stateMachine(Phase, { init: 'Idle' });
    fsm.switch({
      Idle: () => when(start, () => fsm.goto('Load')),
      Load: () => fsm.goto('Run'),
      Run: () => when(last, () => fsm.goto('Drain')),
      Drain: () => fsm.goto('Idle'),
    });
    io.busy.set(fsm.is('Idle').not());
  },
});
