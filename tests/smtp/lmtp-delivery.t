# LMTP: an unknown recipient is refused at RCPT; after the data every
# accepted recipient gets its own reply (RFC 2033 4.2), with DATA and with
# BDAT; Received says "with LMTP".
!args --lmtp
!user example.test/alice
!user example.org/bob
!user example.test/carol
!user example.org/dave
S: 220 mx.example.test LMTP cartero
C: LHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<erin@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: RCPT TO:<bob@example.org>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: first
C: .
S: 250 2.0.0 Ok: delivered as *
S: 250 2.0.0 Ok: delivered as *
C: NOOP
S: 250 2.0.0 Ok
C: MAIL FROM:<erin@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@example.test>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<dave@example.org>
S: 250 2.1.5 Recipient ok
C> BDAT 8 LAST\r\nsecond\r\n
S: 250 2.0.0 Ok: delivered as *
S: 250 2.0.0 Ok: delivered as *
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!mail example.org/bob 1
!mail example.test/carol 1
!mail example.org/dave 1
!mail example.test/nobody 0
!body example.org/bob first\r\n
!body example.test/carol second\r\n
!header example.org/dave *by mx.example.test (cartero) with LMTP id *
!log rcpts="bob@example.org"
!log rcpts="dave@example.org"
