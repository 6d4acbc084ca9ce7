# A DEFER paired with a 5xx code is a plugin bug: 451 4.3.0 and a log line.
!testplugins
!conf [smtpd]
!conf filters = limits probe
!conf [plugin probe]
!conf hook = mail
!conf verdict = defer
!conf code = 550
!conf text = permanent or not
S: 220 *
C: EHLO x
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250 CHUNKING
C: MAIL FROM:<a@example.net>
S: 451 4.3.0 Internal filter error; try again later
C: QUIT
S: 221 *
!log event=plugin-bug plugin=probe hook=mail verdict=defer code=550
