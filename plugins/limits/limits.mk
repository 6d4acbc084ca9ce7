PLUGINS += limits
limits_SRCS := plugins/limits/limits.c
limits_LIBS :=
