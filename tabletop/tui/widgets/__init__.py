"""Board widgets. Each renders what it is given (scenario, rules, state) and decides nothing."""
