PLUGINS += maildir
maildir_SRCS := plugins/maildir/maildir.c
maildir_LIBS :=
