# A filter adds a header field at end of data: it is stored right after
# cartero's trace fields, and the client's message follows unchanged.
!testplugins
!user example.test/alice
!conf [smtpd]
!conf filters = probe
!conf [plugin probe]
!conf add_header = X-Probe: checked by probe
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
S: 250 *
C: RCPT TO:<alice@example.test>
S: 250 *
C: DATA
S: 354 *
C: Subject: hi
C:
C: body
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 *
!body example.test/alice X-Probe: checked by probe\r\nSubject: hi\r\n\r\nbody\r\n
!nolog header_add refused
