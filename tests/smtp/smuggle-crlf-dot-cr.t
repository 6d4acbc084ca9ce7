# SMTP smuggling (<CR><LF>.<CR>): only CRLF.CRLF ends DATA.  The fake end
# below is data, so the message has a bare line end and is refused 554
# 5.6.0 as a whole; the "commands" after the fake end are never run.
# Then a real message goes through: exactly one message in all.
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
C: DATA
S: 354 *
C> Subject: real\r\n\r\nbody\r\n.\rMAIL FROM:<mallory@example.net>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n
S: 554 5.6.0 Message has a bare CR or LF; lines must end with CRLF
C: NOOP
S: 250 2.0.0 Ok
!mail example.test/alice 0
!mail example.test/bob 0
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: second try
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 0
!body example.test/alice Subject: second try\r\n
!nolog mallory
!nolog rcpts="bob@example.test"
!log code=554 status=5.6.0 cmd=DATA
