package dev.sluice.sources;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * source_declaration: the sources route files declare, with their Kamelet's parameters, so that an
 * integration which does not run a source's route (the sources API or the purge as Camel K
 * integrations of their own) still knows it. Only the parameters a user wrote are kept: a source
 * Kamelet takes no secret (a bucket source signs with the AWS default credentials chain).
 */
@ApplicationScoped
public class SourceDeclarationTable {

    private static final Logger LOG = Logger.getLogger(SourceDeclarationTable.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the kamelet component adds to a Kamelet route's parameters: not the source's. */
    private static final Set<String> KAMELET_INTERNAL = Set.of("templateId", "routeId", "uuid", "location", "parentRouteId",
            "parentProcessorId", "noErrorHandler", "bridgeErrorHandler");

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Config config;

    /** A route declared the source: its row, replacing an earlier one. Best effort: this process runs it all the same. */
    void record(String name, SourceKind kind, Map<String, ?> parameters, String route) {
        Map<String, String> kept = new TreeMap<>();
        parameters.forEach((key, value) -> {
            if (value != null && !KAMELET_INTERNAL.contains(key)) {
                kept.put(key, value.toString());
            }
        });
        try (Connection c = dataSource.getConnection();
             PreparedStatement upsert = c.prepareStatement("""
                     insert into source_declaration (name, kind, parameters, route, declared_at) values (?, ?, ?::jsonb, ?, now())
                     on conflict (name) do update set kind = excluded.kind, parameters = excluded.parameters,
                         route = excluded.route, declared_at = excluded.declared_at""")) {
            upsert.setString(1, name);
            upsert.setString(2, kind.type());
            upsert.setString(3, JSON.writeValueAsString(kept));
            upsert.setString(4, route);
            upsert.executeUpdate();
        } catch (Exception e) {
            LOG.warnf("Source %s: not recorded in source_declaration (the API of another integration will not list it): %s",
                    name, e.getMessage());
        }
    }

    void remove(String name, String route) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("delete from source_declaration where name = ? and route = ?")) {
            delete.setString(1, name);
            delete.setString(2, route);
            delete.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("Source %s: its source_declaration row stays: %s", name, e.getMessage());
        }
    }

    /** The sources routes declared, other than those named (this process's). */
    List<Source> declaredElsewhere(Set<String> known) {
        List<Source> sources = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select name, kind, parameters, route from source_declaration order by name");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                if (!known.contains(rows.getString(1))) {
                    bind(rows).ifPresent(sources::add);
                }
            }
        } catch (SQLException e) {
            LOG.debugf("source_declaration not read: %s", e.getMessage());
        }
        return sources;
    }

    Optional<Source> declared(String name) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select name, kind, parameters, route from source_declaration where name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? bind(rows) : Optional.empty();
            }
        } catch (SQLException e) {
            LOG.debugf("source_declaration not read: %s", e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Source> bind(ResultSet row) throws SQLException {
        Optional<SourceKind> kind = SourceKind.ofType(row.getString(2)).filter(k -> k.routeDeclaration() != null);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        try {
            Map<String, String> parameters = JSON.readValue(row.getString(3), new TypeReference<>() {
            });
            return Optional.of(kind.get().routeDeclaration().read(parameters, "route " + row.getString(4), config));
        } catch (Exception e) {
            LOG.debugf("source_declaration %s not bound: %s", row.getString(1), e.getMessage());
            return Optional.empty();
        }
    }
}
