PLUGINS += patterns
patterns_SRCS := plugins/patterns/patterns.c plugins/patterns/rules.c
patterns_LIBS :=
