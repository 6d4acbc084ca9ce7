# RELAYCLIENT (tcpserver's rules convention) plus a [relay] section: a
# non-local recipient goes to the [relay] store.  Local users are still
# checked.
!env RELAYCLIENT=
!user example.test/alice
!conf [relay]
!conf store = maildir
!conf path = mail/%d/%u
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@example.net>
S: 250 2.1.5 Recipient ok
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: DATA
S: 354 *
C: relayed
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.net/carol 1
!body example.net/carol relayed\r\n
!header example.net/carol *for <carol@example.net>;
!log rcpts="carol@example.net" store=maildir
