PLUGINS += mbox
mbox_SRCS := plugins/mbox/mbox.c plugins/mbox/mbox-lock.c \
	plugins/mbox/mbox-pop3.c plugins/mbox/mboxrd.c
mbox_LIBS :=
