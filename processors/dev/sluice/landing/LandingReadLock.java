package dev.sluice.landing;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileExclusiveReadLockStrategy;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.strategy.FileChangedExclusiveReadLockStrategy;
import org.apache.camel.component.file.strategy.MarkerFileExclusiveReadLockStrategy;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The inbox's read lock: {@code readLock=changed} (a file is handed over once its size and mtime
 * stayed the same for sluice.landing.stable-for-ms, with a {@code .camelLock} marker so that replicas
 * sharing the inbox never take the same file) for regular files; anything else — a symbolic link (even
 * a dangling one, which the changed lock would skip forever), a FIFO, a hard-linked file — is handed
 * over at once, looked at only with lstat, so that the route refuses it to error/ without opening it.
 *
 * <p>Camel's changed lock itself only stats the entry (following links), it never opens it.
 */
@ApplicationScoped
@Named("landingReadLock")
public class LandingReadLock implements GenericFileExclusiveReadLockStrategy<File> {

    @ConfigProperty(name = "sluice.landing.stable-for-ms", defaultValue = "2000")
    long stableForMs;

    private final FileChangedExclusiveReadLockStrategy changed = new FileChangedExclusiveReadLockStrategy();
    private final MarkerFileExclusiveReadLockStrategy marker = new MarkerFileExclusiveReadLockStrategy();

    @PostConstruct
    void configure() {
        changed.setCheckInterval(stableForMs);
        changed.setMinAge(stableForMs);
        changed.setMinLength(0);
        changed.setTimeout(0);
    }

    @Override
    public void prepareOnStartup(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint) throws Exception {
        changed.prepareOnStartup(operations, endpoint); // deletes orphaned .camelLock files
    }

    @Override
    public boolean acquireExclusiveReadLock(GenericFileOperations<File> operations, GenericFile<File> file, Exchange exchange)
            throws Exception {
        String refusal;
        try {
            refusal = LandedFile.refusal(Path.of(file.getAbsoluteFilePath()));
        } catch (IOException e) {
            return false; // gone meanwhile
        }
        return refusal == null
                ? changed.acquireExclusiveReadLock(operations, file, exchange)
                : marker.acquireExclusiveReadLock(operations, file, exchange);
    }

    // both strategies keep their marker file under the same exchange properties: either releases it

    @Override
    public void releaseExclusiveReadLockOnAbort(GenericFileOperations<File> operations, GenericFile<File> file, Exchange exchange)
            throws Exception {
        changed.releaseExclusiveReadLockOnAbort(operations, file, exchange);
    }

    @Override
    public void releaseExclusiveReadLockOnRollback(GenericFileOperations<File> operations, GenericFile<File> file, Exchange exchange)
            throws Exception {
        changed.releaseExclusiveReadLockOnRollback(operations, file, exchange);
    }

    @Override
    public void releaseExclusiveReadLockOnCommit(GenericFileOperations<File> operations, GenericFile<File> file, Exchange exchange)
            throws Exception {
        changed.releaseExclusiveReadLockOnCommit(operations, file, exchange);
    }

    @Override
    public void setTimeout(long timeout) {
        changed.setTimeout(timeout);
    }

    @Override
    public void setCheckInterval(long checkInterval) {
        changed.setCheckInterval(checkInterval);
    }

    @Override
    public void setReadLockLoggingLevel(LoggingLevel level) {
        changed.setReadLockLoggingLevel(level);
    }

    @Override
    public void setMarkerFiler(boolean markerFile) {
        changed.setMarkerFiler(markerFile);
        marker.setMarkerFiler(markerFile);
    }

    @Override
    public void setDeleteOrphanLockFiles(boolean deleteOrphanLockFiles) {
        changed.setDeleteOrphanLockFiles(deleteOrphanLockFiles);
        marker.setDeleteOrphanLockFiles(deleteOrphanLockFiles);
    }
}
