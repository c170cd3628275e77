//! Rules: findings from the model (ownership, sync calls, cycles, dual writes...) and baselines.
