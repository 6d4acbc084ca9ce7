# RCPT filters see only recipients cartero itself would take: an unknown
# user and a relay attempt get cartero's own 550 and never reach the
# filter (so a greylist records nothing for them).
!testplugins
!user example.test/alice
!conf [smtpd]
!conf filters = probe
!conf [plugin probe]
!conf hook = rcpt
!conf verdict = defer
!conf code = 451
!conf status = 4.7.1
!conf text = Probe saw it
S: 220 *
C: HELO x
S: 250 *
C: MAIL FROM:<a@example.net>
S: 250 *
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<x@elsewhere.example>
S: 550 5.7.1 Relaying denied
C: RCPT TO:<alice@example.test>
S: 451 4.7.1 Probe saw it
C: QUIT
S: 221 *
