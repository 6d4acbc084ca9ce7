# Verbs and the FROM:/TO: keywords are case-insensitive (RFC 5321 2.4).
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
C: ehlo client.example
S: 250-mx.example.test
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250 CHUNKING
C: mail from:<bob@example.net>
S: 250 2.1.0 Sender ok
C: Rcpt To:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: nOoP
S: 250 2.0.0 Ok
C: data
S: 354 *
C: lower case
C: .
S: 250 2.0.0 Ok: queued as *
C: quit
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice lower case\r\n
