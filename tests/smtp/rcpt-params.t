# No RCPT parameter is offered: any is 555 5.5.4 (RFC 5321 4.1.1.11),
# malformed ones are 501; the recipient is not added either way.
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
C: RCPT TO:<bob@example.test> NOTIFY=NEVER
S: 555 5.5.4 Unsupported MAIL or RCPT parameter
C: RCPT TO:<bob@example.test> SIZE=10
S: 555 5.5.4 Unsupported MAIL or RCPT parameter
C: RCPT TO:<bob@example.test> =X
S: 501 5.5.4 Syntax error in parameters or arguments
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: params
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.test/bob 0
!log code=555 status=5.5.4 cmd=RCPT
