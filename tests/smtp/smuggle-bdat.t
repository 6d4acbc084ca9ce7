# BDAT is counted, never scanned: a CRLF.CRLF inside a chunk is data, so
# a "second transaction" inside it is just text of the one message.  A
# chunk with a bare LF is refused 554 5.6.0 at LAST, like DATA.
!user example.test/alice
!user example.test/bob
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
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
C> BDAT 86 LAST\r\nSubject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<mallory@example.net>\r\nRCPT TO:<bob@example.test>\r\n
S: 250 2.0.0 Ok: queued as *
!mail example.test/alice 1
!body example.test/alice Subject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<mallory@example.net>\r\nRCPT TO:<bob@example.test>\r\n
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 21\r\nSubject: two\r\n\r\nbody\n
S: 250 2.0.0 Ok: octets received: 21
C> BDAT 42 LAST\r\n.\r\nMAIL FROM:<mallory@example.net>\r\nQUIT\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 0
!log code=554 status=5.6.0 cmd=BDAT
