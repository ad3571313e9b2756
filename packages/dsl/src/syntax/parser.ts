import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './lexer.js';

/**
 * The concrete-syntax parser of `.gfn` specs. Rules are class properties (Chevrotain's style);
 * error recovery is on so that one run reports as many syntax errors as it can.
 */
export class SpecParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  spec = this.RULE('spec', () => {
    this.CONSUME(T.Env);
    this.CONSUME(T.Identifier);
    this.MANY(() => this.SUBRULE(this.declaration));
  });

  declaration = this.RULE('declaration', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.stateDecl) },
      { ALT: () => this.SUBRULE(this.initDecl) },
      { ALT: () => this.SUBRULE(this.actionDecl) },
      { ALT: () => this.SUBRULE(this.parentDecl) },
      { ALT: () => this.SUBRULE(this.terminalDecl) },
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.rewardDecl) },
      { ALT: () => this.SUBRULE(this.externDecl) },
      { ALT: () => this.SUBRULE(this.modeDecl) },
    ]);
  });

  paramDecl = this.RULE('paramDecl', () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.OR([{ ALT: () => this.CONSUME(T.IntType) }, { ALT: () => this.CONSUME(T.FloatType) }]);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression, { LABEL: 'default' });
    this.OPTION(() => {
      this.CONSUME(T.In);
      this.OPTION2(() => this.SUBRULE2(this.expression, { LABEL: 'lo' }));
      this.CONSUME(T.DotDot);
      this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: 'hi' }));
    });
  });

  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.scalarType);
    this.MANY(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expression, { LABEL: 'dims' });
      this.CONSUME(T.RBracket);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE2(this.expression, { LABEL: 'value' });
  });

  scalarType = this.RULE('scalarType', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.IntType) },
      { ALT: () => this.CONSUME(T.FloatType) },
      { ALT: () => this.CONSUME(T.BoolType) },
    ]);
  });

  stateDecl = this.RULE('stateDecl', () => {
    this.CONSUME(T.State);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.field);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
  });

  field = this.RULE('field', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.IntType);
          this.MANY(() => {
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.expression, { LABEL: 'size' });
            this.CONSUME(T.RBracket);
          });
          this.CONSUME(T.In);
          this.SUBRULE2(this.expression, { LABEL: 'lo' });
          this.CONSUME(T.DotDot);
          this.SUBRULE3(this.expression, { LABEL: 'hi' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.BoolType);
          this.MANY2(() => {
            this.CONSUME2(T.LBracket);
            this.SUBRULE4(this.expression, { LABEL: 'size' });
            this.CONSUME2(T.RBracket);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.SeqType);
          this.CONSUME3(T.LBracket);
          this.SUBRULE5(this.expression, { LABEL: 'size' });
          this.CONSUME3(T.RBracket);
          this.CONSUME(T.Of);
          this.SUBRULE6(this.expression, { LABEL: 'lo' });
          this.CONSUME2(T.DotDot);
          this.SUBRULE7(this.expression, { LABEL: 'hi' });
        },
      },
    ]);
  });

  initDecl = this.RULE('initDecl', () => {
    this.CONSUME(T.Init);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.initAssign) });
  });

  initAssign = this.RULE('initAssign', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  actionDecl = this.RULE('actionDecl', () => {
    this.CONSUME(T.Action);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.binderList));
    this.OPTION2(() => {
      this.CONSUME(T.When);
      this.SUBRULE(this.expression, { LABEL: 'guard' });
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Do);
          this.SUBRULE(this.effects);
        },
      },
      { ALT: () => this.CONSUME(T.Stop) },
    ]);
  });

  parentDecl = this.RULE('parentDecl', () => {
    this.CONSUME(T.Parent);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.binderList));
    this.OPTION2(() => {
      this.CONSUME(T.When);
      this.SUBRULE(this.expression, { LABEL: 'guard' });
    });
    this.CONSUME(T.Do);
    this.SUBRULE(this.effects);
  });

  binderList = this.RULE('binderList', () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.binder) });
    this.CONSUME(T.RParen);
  });

  binder = this.RULE('binder', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression, { LABEL: 'lo' });
    this.CONSUME(T.DotDot);
    this.SUBRULE2(this.expression, { LABEL: 'hi' });
  });

  effects = this.RULE('effects', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.effect) });
  });

  effect = this.RULE('effect', () => {
    this.OR3([
      {
        // `for i in lo..hi { effects }`
        ALT: () => {
          this.CONSUME(T.For);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.binder) });
          this.CONSUME(T.LBrace);
          this.SUBRULE(this.effects, { LABEL: 'body' });
          this.CONSUME(T.RBrace);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'target' });
          this.OR([
            {
              ALT: () => {
                this.CONSUME(T.Dot);
                this.CONSUME2(T.Identifier, { LABEL: 'method' });
                this.CONSUME(T.LParen);
                this.MANY_SEP({
                  SEP: T.Comma,
                  DEF: () => this.SUBRULE(this.expression, { LABEL: 'args' }),
                });
                this.CONSUME(T.RParen);
              },
            },
            {
              ALT: () => {
                this.MANY(() => {
                  this.CONSUME(T.LBracket);
                  this.SUBRULE2(this.expression, { LABEL: 'index' });
                  this.CONSUME(T.RBracket);
                });
                this.OR2([
                  { ALT: () => this.CONSUME(T.Assign, { LABEL: 'op' }) },
                  { ALT: () => this.CONSUME(T.PlusAssign, { LABEL: 'op' }) },
                  { ALT: () => this.CONSUME(T.MinusAssign, { LABEL: 'op' }) },
                ]);
                this.SUBRULE3(this.expression, { LABEL: 'value' });
              },
            },
          ]);
        },
      },
    ]);
  });

  terminalDecl = this.RULE('terminalDecl', () => {
    this.CONSUME(T.Terminal);
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
  });

  letDecl = this.RULE('letDecl', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: T.Comma,
        DEF: () => this.CONSUME2(T.Identifier, { LABEL: 'params' }),
      });
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expression);
  });

  rewardDecl = this.RULE('rewardDecl', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Reward) }, { ALT: () => this.CONSUME(T.LogReward) }]);
    this.SUBRULE(this.expression);
  });

  externDecl = this.RULE('externDecl', () => {
    this.CONSUME(T.Extern);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.externParam) });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.scalarType);
    this.OPTION(() => this.CONSUME(T.Deterministic));
  });

  externParam = this.RULE('externParam', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.scalarType);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.CONSUME(T.RBracket);
    });
  });

  modeDecl = this.RULE('modeDecl', () => {
    this.CONSUME(T.Mode);
    this.CONSUME(T.When);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.OPTION(() => {
      this.CONSUME(T.By);
      this.SUBRULE2(this.expression, { LABEL: 'key' });
    });
  });

  // Expressions, loosest binding first.

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.andExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.Or, { LABEL: 'ops' });
      this.SUBRULE2(this.andExpr, { LABEL: 'operands' });
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.And, { LABEL: 'ops' });
      this.SUBRULE2(this.notExpr, { LABEL: 'operands' });
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive, { LABEL: 'operands' });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Less, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Greater, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'ops' }) },
      ]);
      this.SUBRULE2(this.additive, { LABEL: 'operands' });
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'ops' }) },
      ]);
      this.SUBRULE2(this.multiplicative, { LABEL: 'operands' });
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'ops' }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: 'operands' });
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  power = this.RULE('power', () => {
    this.SUBRULE(this.postfix, { LABEL: 'base' });
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.unary, { LABEL: 'exponent' });
    });
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expression, { LABEL: 'indices' });
      this.CONSUME(T.RBracket);
    });
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]);
  });

  arrayLiteral = this.RULE('arrayLiteral', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'items' }) });
    this.CONSUME(T.RBracket);
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression, { LABEL: 'then' });
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression, { LABEL: 'else' });
  });

  nameOrCall = this.RULE('nameOrCall', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OR([
        {
          // An aggregate: `sum(i in 0..n-1: body)`.
          GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.In,
          ALT: () => {
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.binder) });
            this.CONSUME(T.Colon);
            this.SUBRULE(this.expression, { LABEL: 'body' });
          },
        },
        {
          ALT: () =>
            this.MANY_SEP({
              SEP: T.Comma,
              DEF: () => this.SUBRULE2(this.expression, { LABEL: 'args' }),
            }),
        },
      ]);
      this.CONSUME(T.RParen);
    });
  });
}

/** One shared parser instance (Chevrotain parsers are reusable; building one is costly). */
export const specParser = new SpecParser();

export type { CstNode, IToken };
