# MAIL parameters are ESMTP: after a plain HELO they are refused (555).
!user example.test/alice
S: 220 *
C: HELO client.example
S: 250 mx.example.test
C: MAIL FROM:<a@example.net> SMTPUTF8
S: 555 5.5.4 Unsupported MAIL or RCPT parameter
C: MAIL FROM:<a@example.net>
S: 250 2.1.0 Sender ok
C: QUIT
S: 221 *
