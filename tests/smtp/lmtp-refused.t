# LMTP: a refused message gets one refusal per accepted recipient too.
!args --lmtp
!user example.test/alice
!user example.org/bob
S: 220 mx.example.test LMTP cartero
C: LHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<bob@example.org>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> bare\nline end\r\n.\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!mail example.org/bob 0
