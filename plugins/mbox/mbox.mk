PLUGINS += mbox
mbox_SRCS := plugins/mbox/mbox.c plugins/mbox/mboxrd.c
mbox_LIBS :=
